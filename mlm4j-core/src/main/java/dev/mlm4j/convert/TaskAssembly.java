package dev.mlm4j.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.config.DebertaV2Config;
import dev.mlm4j.config.DistilBertConfig;
import dev.mlm4j.config.ElectraConfig;
import dev.mlm4j.config.ModernBertConfig;
import dev.mlm4j.config.RobertaConfig;
import dev.mlm4j.model.Checkpoint;
import dev.mlm4j.model.Head;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.DType;
import dev.mlm4j.weights.TensorInfo;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.WeightException;
import dev.mlm4j.weights.safetensors.SafetensorsCheckpoint;
import dev.mlm4j.weights.safetensors.SafetensorsWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An encoder and a {@link HeadFolder} made into one task-model folder: the rules are on
 * {@link Converter#convert(Path, Path, boolean, Path)}. Every check runs before the first byte is written.
 */
final class TaskAssembly {
    /** pipelines.FromScratch.NO_POSITIONS_KEY: a model without positions keeps saying so, so training keeps its zero table frozen. */
    private static final String NO_POSITIONS_KEY = "mlm4j_position_embeddings";

    /** A RoBERTa, XLM-R, ELECTRA, DistilBERT or DeBERTa folder's tokenizer files, copied as they are (tokenizer.json, or vocab.txt, is what mlm4j reads). */
    private static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
            "vocab.json", "merges.txt", "sentencepiece.bpe.model", "vocab.txt");

    private TaskAssembly() {}

    static Converter.Result write(Checkpoint c, HeadFolder head, Path dir) throws IOException {
        String scope = switch (c.config()) {                   // the task model's encoder: transformers' attribute
            case BertConfig b -> "bert";
            case RobertaConfig r -> "roberta";
            case ElectraConfig e -> "electra";
            case DistilBertConfig d -> "distilbert";
            case DebertaV2Config d -> "deberta";
            case ModernBertConfig m -> "model";
            default -> throw new IllegalArgumentException("cannot add a head to " + c.folder() + ": mlm4j assembles task models on BERT, RoBERTa,"
                    + " XLM-RoBERTa, ELECTRA, DistilBERT, DeBERTa-v2/v3 and ModernBERT encoders, and this is a '" + c.family().modelType() + "' model (its own task folders convert as they are, without --head)");
        };
        boolean bert = scope.equals("bert");
        // the source's scope: a bare encoder's names are read under bert. (ELECTRA's embeddings_project, DistilBERT's
        // transformer and ModernBERT's layers and final_norm stay at the root)
        String base = c.tensors().containsAnyUnder(scope + ".") ? scope : "bert";
        boolean distilbert = scope.equals("distilbert"), modernBert = scope.equals("model");
        List<String> kept = new ArrayList<>(List.of(base + ".embeddings."));
        if (!distilbert && !modernBert) kept.add(base + ".encoder.");
        if (modernBert) {
            String at = base.equals("model") ? "model." : "";
            kept.add(at + "layers.");
            kept.add(at + "final_norm.");
        }
        // kept at the root as they are: a ModernBERT masked LM's prediction head, which its classifiers read too (transformers keeps it)
        List<String> root = modernBert ? List.of("head.") : List.of();
        if (distilbert) kept.add(base.equals("distilbert") ? "distilbert.transformer." : "transformer.");
        if (scope.equals("electra")) kept.add(base.equals("electra") ? "electra.embeddings_project." : "embeddings_project.");
        if (bert && head.usesPooler()) kept.add(base + ".pooler.");   // RoBERTa's and ELECTRA's classifiers have no pooler
        Path fragment = head.folder().resolve(HeadFolder.FRAGMENT);
        Head<?> model = c.family().heads().stream().filter(h -> h.architecture().equals(head.architecture())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(fragment + ": \"architectures\" names " + head.architecture()
                        + ", which mlm4j does not implement (it implements " + String.join(", ", c.family().architectures()) + ")"));
        TensorSource src = c.tensors();
        int hidden = c.config().hiddenSize();
        Map<String, FloatTensor> added = new LinkedHashMap<>();
        Path file = head.folder().resolve(HeadFolder.TENSORS);
        try (SafetensorsCheckpoint h = SafetensorsCheckpoint.open(file)) {
            for (String n : h.names()) added.put(h.storedName(n), h.load(n));
        } catch (WeightException e) {
            throw new IllegalArgumentException("unreadable " + file + ": " + e.getMessage(), e);
        }
        if (added.isEmpty()) throw new IllegalArgumentException(file + " holds no tensors");
        for (var e : added.entrySet()) check(file, e.getKey(), e.getValue(), added, src.info(e.getKey()), hidden, c.folder());
        checkLabels(fragment, head, added);

        Map<String, FloatTensor> tensors = new TreeMap<>();
        Map<String, Integer> leftOut = new TreeMap<>();   // what was not taken → how many tensors
        for (String name : src.names().stream().sorted().toList()) {
            boolean asIs = root.stream().anyMatch(name::startsWith), keep = asIs || kept.stream().anyMatch(name::startsWith);
            String as = !keep || asIs ? name : name.startsWith(base + ".") ? scope + name.substring(base.length()) : scope + "." + name;
            DType t = src.info(name).dtype();
            if (keep && added.containsKey(as)) continue;
            if (keep && (t == DType.F32 || t == DType.F16 || t == DType.BF16)) {
                tensors.put(as, src.load(name));
            } else {
                leftOut.merge(keep ? name + " (" + t + ")" : group(name), 1, Integer::sum);
            }
        }
        List<String> notes = new ArrayList<>();
        for (var e : leftOut.entrySet()) {
            String why = reason(e.getKey(), head.architecture());
            notes.add(e.getKey() + (e.getValue() > 1 ? " (" + e.getValue() + " tensors" + (why.isEmpty() ? ")" : ": " + why + ")")
                    : why.isEmpty() ? "" : " (" + why + ")"));
        }
        for (String n : added.keySet()) if (src.contains(n)) notes.add(n + " of the encoder (replaced by the head's)");
        tensors.putAll(added);
        long parameters = 0;
        for (FloatTensor t : tensors.values()) parameters += t.size();
        int count = tensors.size();
        SafetensorsWriter.writeFolder(dir, tensors, Map.of(), Converter.MAX_SHARD_BYTES);
        tensors.clear();

        Path sourceConfig = c.folder().resolve("config.json");
        JsonNode source = Files.isRegularFile(sourceConfig) ? new ObjectMapper().readTree(sourceConfig.toFile()) : null;
        Map<String, Object> json;
        if (!bert) {
            // RoBERTa, XLM-R, ELECTRA, DistilBERT, DeBERTa and ModernBERT folders always carry config.json (the family needs it): theirs, with the head's keys
            json = new ObjectMapper().convertValue(source, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {});
            json.put("architectures", List.of(head.architecture()));
            for (String f : TOKENIZER_FILES) if (Files.isRegularFile(c.folder().resolve(f))) Files.copy(c.folder().resolve(f), dir.resolve(f));
        } else {
            json = Converter.hfConfig((BertConfig) c.config(), head.architecture(), true, c.tokenizer().padId());
            if (source != null && source.has(NO_POSITIONS_KEY)) json.put(NO_POSITIONS_KEY, source.get(NO_POSITIONS_KEY).asText());
            Converter.writeTokenizer(c.folder(), dir, c.tokenizer(), c.maxLength());
        }
        head.fragment().fields().forEachRemaining(f -> json.put(f.getKey(), f.getValue()));
        Converter.writeJson(dir.resolve("config.json"), json);
        try (Checkpoint written = Checkpoint.open(dir)) {   // config.json against the weights, as every load will check
            if (!model.isIn(written.tensors())) {
                throw new IllegalArgumentException(file + " has none of " + head.architecture() + "'s head tensors");
            }
        }
        return new Converter.Result(dir, head.architecture(), c.config(), count, parameters, Converter.files(dir), List.copyOf(notes));
    }

    /** A left-out tensor's group in the summary: {@code cls.*}, {@code bert.pooler.*}, a task head's prefix; else itself. */
    private static String group(String name) {
        for (String g : new String[] {"cls.", "lm_head.", "generator_predictions.", "generator_lm_head.", "discriminator_predictions.",
                "vocab_transform.", "vocab_layer_norm.", "vocab_projector.", "decoder.", "lm_predictions.", "bert.pooler.", "roberta.pooler.", "pre_classifier.", "classifier.",
                "qa_outputs."}) if (name.startsWith(g)) return g + "*";
        return name;
    }

    private static String reason(String group, String architecture) {
        return switch (group) {
            case "cls.*", "lm_head.*", "generator_predictions.*", "generator_lm_head.*", "vocab_transform.*", "vocab_layer_norm.*",
                 "vocab_projector.*", "decoder.*", "lm_predictions.*" -> "the masked-LM head";
            case "discriminator_predictions.*" -> "the replaced-token head";
            case "bert.pooler.*", "roberta.pooler.*" -> architecture + " has no pooler";
            case "pre_classifier.*", "classifier.*", "qa_outputs.*" -> "the source's own task head";
            default -> "";
        };
    }

    /**
     * A head tensor must fit the encoder: a matrix reads hidden-size vectors ({@code classifier.weight} [labels, hidden],
     * a pooler [hidden, hidden]), a bias matches its weight's rows, a tensor that replaces one of the encoder's has its shape.
     */
    private static void check(Path file, String name, FloatTensor t, Map<String, FloatTensor> head, TensorInfo replaced,
                              int hidden, Path encoder) {
        int[] shape = t.shape();
        if (replaced != null && !Arrays.equals(shape, replaced.shape())) {
            throw new IllegalArgumentException(file + ": " + name + " is " + Arrays.toString(shape) + " but the encoder's is "
                    + Arrays.toString(replaced.shape()));
        }
        if (shape.length == 2 && shape[1] != hidden) {
            throw new IllegalArgumentException(file + ": " + name + " is " + Arrays.toString(shape) + " but the hidden size of "
                    + encoder + " is " + hidden + ": the head was made for another encoder");
        }
        FloatTensor weight = name.endsWith(".bias") ? head.get(name.substring(0, name.length() - 4) + "weight") : null;
        if (weight != null && (shape.length != 1 || shape[0] != weight.shape()[0])) {
            throw new IllegalArgumentException(file + ": " + name + " is " + Arrays.toString(shape) + " but its weight has "
                    + weight.shape()[0] + " rows");
        }
    }

    /** A classifier has one row per label of the fragment's {@code id2label}. */
    private static void checkLabels(Path fragment, HeadFolder head, Map<String, FloatTensor> tensors) {
        String key = tensors.containsKey("classifier.out_proj.weight") ? "classifier.out_proj.weight" : "classifier.weight";  // RoBERTa's, BERT's
        FloatTensor classifier = tensors.get(key);
        var id2label = head.fragment().get("id2label");
        if (classifier != null && id2label != null && id2label.isObject() && id2label.size() != classifier.shape()[0]) {
            throw new IllegalArgumentException(fragment + ": id2label has " + id2label.size() + " labels but " + key + " has "
                    + classifier.shape()[0] + " rows");
        }
    }
}
