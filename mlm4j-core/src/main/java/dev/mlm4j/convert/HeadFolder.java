package dev.mlm4j.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A task head to put on an encoder ({@link Converter#convert(Path, Path, boolean, Path)}): a folder holding
 * {@value #TENSORS} (the head's tensors under Hugging Face's names, e.g. {@code classifier.weight}, and a pooler where
 * the encoder has none) and {@value #FRAGMENT} (the config.json keys the task model sets: {@code architectures},
 * {@code id2label}, {@code label2id}, {@code problem_type}). The layout of the task fixtures'
 * {@code pretrained/<name>/} folders (mlm4j-core/src/test/resources/tasks/README.md).
 *
 * @param folder       the head folder
 * @param architecture the one name in the fragment's {@code architectures}, e.g. {@code BertForSequenceClassification}
 * @param fragment     config-fragment.json as read
 */
public record HeadFolder(Path folder, String architecture, ObjectNode fragment) {
    public static final String TENSORS = "head.safetensors";
    public static final String FRAGMENT = "config-fragment.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads {@code folder}, refusing in one line a folder that is missing, lacks a file or has an unusable fragment. */
    public static HeadFolder read(Path folder) {
        String layout = " (a head folder holds " + TENSORS + " and " + FRAGMENT + ")";
        if (!Files.isDirectory(folder)) throw new IllegalArgumentException("no such head folder: " + folder + layout);
        for (String f : new String[] {TENSORS, FRAGMENT}) {
            if (!Files.isRegularFile(folder.resolve(f))) throw new IllegalArgumentException(folder + " has no " + f + layout);
        }
        Path file = folder.resolve(FRAGMENT);
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable " + file + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""), e);
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException(file + " is not a JSON object of config.json keys");
        JsonNode a = root.get("architectures");
        if (a == null || !a.isArray() || a.size() != 1 || !a.get(0).isTextual()) {
            throw new IllegalArgumentException(file + ": \"architectures\" must name the one task model, e.g. [\"BertForSequenceClassification\"]");
        }
        return new HeadFolder(folder, a.get(0).asText(), (ObjectNode) root);
    }

    /** transformers builds only the sequence classifier with the pooler; the token classifier and QA model have none. */
    boolean usesPooler() {
        return architecture.endsWith("ForSequenceClassification");
    }
}
