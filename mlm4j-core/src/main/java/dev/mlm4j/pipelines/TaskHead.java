package dev.mlm4j.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.config.Precision;
import dev.mlm4j.model.Checkpoint;
import dev.mlm4j.model.Task;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What every task pipeline's {@code load} does before its own part, in one wording: read the folder's config.json,
 * refuse a folder whose {@code architectures} name another head, and load the task's head or say the checkpoint has
 * none. A new task pipeline (question answering, reranking, …) adds one {@link Kind} and calls these two.
 *
 * @see TextClassification#load
 * @see TokenClassification#load
 */
final class TaskHead {
    private TaskHead() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * How a task's head is named.
     *
     * @param architectureSuffix what a fitting {@code architectures} entry ends with, e.g. {@code ForSequenceClassification}
     * @param model              the model in messages: "a sequence classifier"
     * @param head               the head in messages: "sequence-classification"
     * @param use                what the model cannot do without it: "classify texts"
     * @param tensors            the head's tensors in messages: "classifier.*"
     */
    record Kind(String architectureSuffix, String model, String head, String use, String tensors) {}

    static final Kind SEQUENCE_CLASSIFICATION = new Kind("ForSequenceClassification", "sequence classifier", "sequence-classification", "classify texts", "classifier.*");
    static final Kind TOKEN_CLASSIFICATION = new Kind("ForTokenClassification", "token classifier", "token-classification", "tag tokens", "classifier.*");
    static final Kind QUESTION_ANSWERING = new Kind("ForQuestionAnswering", "question-answering model", "question-answering", "answer questions", "qa_outputs.*");

    /**
     * The length transformers' token-classification and question-answering pipelines truncate to or window by:
     * tokenizer_config.json's {@code model_max_length} (they pass it, or min(it, 384), as max_length, overriding a
     * {@code truncation} block in tokenizer.json, e.g. all-MiniLM-L6-v2's 128); without one, the tokenizer's own maximum.
     */
    static int modelMaxLength(Checkpoint c) {
        return dev.mlm4j.tokens.TokenizerFiles.modelMaxLength(c.folder()).orElse(c.tokenizer().maxLength());
    }

    /** The folder's config.json ({@code file}), or null when it has none (a TensorFlow or ONNX export); refused when its architectures name another head. */
    static JsonNode config(Path file, String name, Kind kind) {
        if (!Files.isRegularFile(file)) return null;
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable " + file + ": " + e.getMessage(), e);
        }
        JsonNode arch = root.get("architectures");
        if (arch != null && arch.isArray() && !arch.isEmpty()) {
            boolean fits = false;
            for (JsonNode a : arch) fits |= a.asText().endsWith(kind.architectureSuffix());
            if (!fits) {
                throw new IllegalArgumentException("model '" + name + "' is a " + arch.get(0).asText() + ", not a " + kind.model()
                        + " (config.json's architectures): it cannot " + kind.use());
            }
        }
        return root;
    }

    /** The task's model on the checkpoint, or the one-line error that it has no such head. */
    static <M> M load(Checkpoint c, Task<M> task, Precision precision, String name, Kind kind) {
        return c.load(task, precision).orElseThrow(() -> new IllegalArgumentException("model '" + name + "' has no " + kind.head()
                + " head (no " + kind.tensors() + " tensors in " + c.tensors().origin() + "): it cannot " + kind.use()));
    }
}
