package dev.mlm4j.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a sentence-transformers folder (as the Hugging Face hub holds one, without mlm4j's {@value ModelCard#FILE_NAME})
 * says about its embeddings, read from sentence-transformers' own files:
 * <pre>
 *   modules.json                      Transformer → Pooling (→ Normalize): the pipeline, in order
 *   1_Pooling/config.json             pooling_mode_cls_token / pooling_mode_mean_tokens (the module's path)
 *   sentence_bert_config.json         max_seq_length: where sentence-transformers cuts every text
 *   config_sentence_transformers.json prompts {"query": …, "passage": …}: markers put before each kind of text
 * </pre>
 * mlm4j's embeddings run Transformer → mean or [CLS] pooling → optional L2 normalisation; a folder whose modules do
 * anything else (a Dense projection, max pooling, several poolings concatenated) is refused with the reason, never
 * embedded another way: its vectors would silently differ from sentence-transformers'.
 */
public final class SentenceTransformersFolder {
    private SentenceTransformersFolder() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The embeddings card of {@code folder} from its sentence-transformers files; empty when it has no
     * {@code modules.json}. {@code positions} (the model's position table) is the working length when
     * {@code sentence_bert_config.json} gives none. An {@link IllegalArgumentException} says in one line why the
     * folder's pipeline cannot be run as sentence-transformers runs it.
     */
    public static Optional<ModelCard> card(Path folder, String name, ModelCard.Format format, int positions) {
        Path modulesFile = folder.resolve("modules.json");
        if (!Files.isRegularFile(modulesFile)) return Optional.empty();
        JsonNode modules = read(modulesFile);
        if (!modules.isArray()) throw new IllegalArgumentException(modulesFile + " is not a list of modules");
        List<String> types = new ArrayList<>();
        ModelCard.Pooling pooling = null;
        boolean normalize = false;
        for (JsonNode m : modules) {
            String type = m.path("type").asText("");
            String simple = type.substring(type.lastIndexOf('.') + 1);
            types.add(simple);
            switch (simple) {
                case "Transformer" -> {
                    if (!types.getFirst().equals("Transformer")) throw unsupported(modulesFile, "the Transformer module is not the first");
                }
                case "Pooling" -> {
                    if (pooling != null) throw unsupported(modulesFile, "it has two Pooling modules");
                    pooling = pooling(folder.resolve(m.path("path").asText("")).resolve("config.json"));
                }
                case "Normalize" -> {
                    if (pooling == null) throw unsupported(modulesFile, "Normalize comes before Pooling");
                    normalize = true;
                }
                default -> throw unsupported(modulesFile, "it has a " + (type.isEmpty() ? "module without a type" : type + " module"));
            }
        }
        if (types.isEmpty() || !types.getFirst().equals("Transformer")) throw unsupported(modulesFile, "it does not start with a Transformer module");
        if (pooling == null) throw unsupported(modulesFile, "it has no Pooling module");
        int maxLength = positions;
        Path st = folder.resolve("sentence_bert_config.json");
        if (Files.isRegularFile(st)) {
            JsonNode n = read(st).path("max_seq_length");
            if (n.canConvertToInt() && n.intValue() >= 2) maxLength = Math.min(n.intValue(), positions);
            else if (!n.isMissingNode() && !n.isNull()) throw new IllegalArgumentException(st + ": max_seq_length must be an integer of at least 2, got " + n);
        }
        ModelCard card = ModelCard.embeddings(name, format, null, pooling, normalize, maxLength);
        Path prompts = folder.resolve("config_sentence_transformers.json");
        if (Files.isRegularFile(prompts)) {
            JsonNode p = read(prompts).path("prompts");
            String query = p.path("query").asText(""), passage = p.path("passage").asText("");
            if (!query.isEmpty() || !passage.isEmpty()) card = card.withPrefixes(query, passage);
        }
        return Optional.of(card);
    }

    /** The one pooling mode a Pooling module's config.json turns on: mean or [CLS]; any other, or several, refused. */
    private static ModelCard.Pooling pooling(Path config) {
        if (!Files.isRegularFile(config)) throw new IllegalArgumentException("no " + config + ": the Pooling module's settings are missing");
        JsonNode n = read(config);
        List<String> on = new ArrayList<>();
        n.properties().forEach(e -> {
            if (e.getKey().startsWith("pooling_mode_") && e.getValue().asBoolean(false)) on.add(e.getKey().substring("pooling_mode_".length()));
        });
        if (on.equals(List.of("mean_tokens"))) return ModelCard.Pooling.MEAN;
        if (on.equals(List.of("cls_token"))) return ModelCard.Pooling.CLS;
        throw new IllegalArgumentException(config + " pools by " + (on.isEmpty() ? "nothing" : String.join(" + ", on))
                + ": mlm4j's embeddings pool by mean_tokens or cls_token, one of them");
    }

    private static IllegalArgumentException unsupported(Path modules, String why) {
        return new IllegalArgumentException(modules + ": " + why + "; mlm4j's embeddings run Transformer → Pooling (mean or CLS) → Normalize"
                + " and would not give sentence-transformers' vectors for this folder");
    }

    private static JsonNode read(Path file) {
        try {
            JsonNode n = JSON.readTree(file.toFile());
            if (n == null) throw new IllegalArgumentException(file + " is empty");
            return n;
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable " + file + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""), e);
        }
    }
}
