package dev.mlm4j.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.hub.ModelCard;
import dev.mlm4j.hub.ModelCatalog;
import dev.mlm4j.hub.ModelEntry;
import dev.mlm4j.pipelines.Models;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

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

    /**
     * A task head a stage needs.
     *
     * @param architecture transformers' class of such a model, e.g. {@code BertForSequenceClassification}; a folder's
     *                     {@code architectures} must name one ending as it does after the family ({@code ForSequenceClassification})
     * @param task         the catalogue's name for the task ({@link ModelCard.Task#id()})
     * @param kind         what such a model is called in messages ("sequence classifier")
     * @param cannot       what a model without the head cannot do ("cannot classify texts")
     * @param load         loads the task's pipeline on the driver: the check of last resort, for a folder whose
     *                     config.json does not say what it is
     */
    public record Head(String architecture, String task, String kind, String cannot, Consumer<String> load) {
        String suffix() {
            return architecture.substring(architecture.indexOf("For"));
        }
    }

    /**
     * As {@link #onDriver}, and fails unless the model has {@code head}: a catalogued name by the catalogue's task, a
     * folder by its config.json's {@code architectures} (read, nothing loaded); a folder that names no architecture
     * is loaded on the driver, which tells (in local mode the executors then share that copy).
     */
    public static Found withHead(String model, String what, Head head) {
        Found f = onDriver(model, what);
        if (f.entry().isPresent()) {
            ModelEntry e = f.entry().get();
            if (!e.task().id().equals(head.task())) {
                throw new IllegalArgumentException(what + ": model '" + e.name() + "' is a catalogued " + e.task().id() + " model, not a "
                        + head.kind() + ": it " + head.cannot() + "; set model to the folder of a fine-tuned " + head.architecture());
            }
            return f;
        }
        List<String> architectures = architectures(f.folder().orElseThrow(), what);
        if (architectures.isEmpty()) {
            try {
                head.load().accept(f.model());
            } catch (RuntimeException e) {   // the pipeline's own one-line reason (no head, missing or mis-shaped weights)
                throw new IllegalArgumentException(what + ": " + Errors.oneLine(e), e);
            }
        } else if (architectures.stream().noneMatch(a -> a.endsWith(head.suffix()))) {
            throw new IllegalArgumentException(what + ": model '" + f.model() + "' is a " + architectures.getFirst()
                    + " (config.json's architectures), not a " + head.kind() + " (" + head.architecture() + "): it " + head.cannot());
        }
        return f;
    }

    /** The classes config.json's {@code architectures} names; empty without them (or without config.json). */
    private static List<String> architectures(Path folder, String what) {
        Path config = folder.resolve("config.json");
        List<String> out = new ArrayList<>();
        if (!Files.isRegularFile(config)) return out;
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(config.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(what + ": unreadable " + config + ": " + Errors.oneLine(e), e);
        }
        JsonNode a = root.path("architectures");
        if (a.isArray()) a.forEach(n -> out.add(n.asText()));
        return out;
    }
}
