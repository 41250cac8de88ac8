package dev.mlm4j.spark;

import dev.mlm4j.hub.ModelCard;
import dev.mlm4j.hub.ModelCatalog;
import dev.mlm4j.hub.ModelEntry;
import dev.mlm4j.pipelines.Models;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The driver's look at a model before any task runs: a model is either a catalogued name (every executor resolves it
 * through the hub: its local cache, the local Maven repository, else Maven Central) or a folder that the driver — and
 * every executor, at the same path — can read. Anything else fails here, with the reason, rather than in every task.
 * Nothing is loaded: a name is checked against the catalogue, a folder by its files.
 */
public final class ModelCheck {
    private ModelCheck() {}

    /** What the driver knows about a model. */
    public record Found(String model, Optional<ModelEntry> entry, Optional<Path> folder) {
        /** Whether the model is known to carry a masked-language-model head (catalogued fill-mask models do). */
        public Optional<Boolean> hasMaskedLmHead() {
            if (entry.isPresent()) return Optional.of(entry.get().task() == ModelCard.Task.FILL_MASK);
            return Optional.empty();
        }
    }

    /**
     * Checks {@code model} on the driver; {@code what} names the stage for messages (e.g. "Embedder").
     *
     * @throws IllegalArgumentException naming the model and what is wrong with it
     */
    public static Found onDriver(String model, String what) {
        if (model == null || model.isBlank()) throw new IllegalArgumentException(what + ": no model given (set model to a name or a folder)");
        String given = model.trim();
        if (given.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*") && !given.startsWith("file://")) {
            throw new IllegalArgumentException(what + ": model '" + given + "' is a URI; mlm4j reads models from a local folder present on"
                    + " every executor (or a catalogued name each executor fetches): copy the folder there, or use a name");
        }
        Optional<Path> path = Models.asPath(given.startsWith("file://") ? given.substring("file://".length()) : given);
        if (path.isPresent() && Files.exists(path.get())) {
            Path p = path.get().toAbsolutePath().normalize();
            if (!Models.looksLikeModel(p)) {
                throw new IllegalArgumentException(what + ": " + p + " is not a model folder: expected variables/variables.index (TensorFlow),"
                        + " config.json + model.safetensors (Hugging Face) or model.onnx / a .onnx file with tokenizer.json");
            }
            return new Found(p.toString(), Optional.empty(), Optional.of(p));
        }
        Optional<ModelEntry> entry = ModelCatalog.standard().find(given);
        if (entry.isPresent()) return new Found(entry.get().name(), entry, Optional.empty());
        throw new IllegalArgumentException(what + ": no such model '" + given + "': not a folder the driver can read"
                + (path.isPresent() ? " (" + path.get().toAbsolutePath().normalize() + ")" : "")
                + ", nor a known model name (" + ModelCatalog.standard().names() + ")");
    }

    /** Whether a checked model can fill masks: the catalogue says so for names; a folder's weights are looked at (mapped, not loaded). */
    public static boolean hasMaskedLmHead(Found f) {
        return f.hasMaskedLmHead().orElseGet(() -> Models.hasMaskedLmHead(f.folder().orElseThrow()));
    }

    /** As {@link #onDriver}, and fails unless the model can fill masks (has its MLM head). */
    public static Found withMaskedLmHead(String model, String what) {
        Found f = onDriver(model, what);
        if (!hasMaskedLmHead(f)) {
            IllegalArgumentException e = Models.noMaskedLmHead(model, "it cannot fill masks; use it with Embedder instead");
            throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
        }
        return f;
    }
}
