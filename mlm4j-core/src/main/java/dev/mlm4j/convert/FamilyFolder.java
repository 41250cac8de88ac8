package dev.mlm4j.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.model.Checkpoint;
import dev.mlm4j.weights.DType;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.safetensors.SafetensorsCheckpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@link Converter}'s writer for the families other than BERT (RoBERTa, XLM-RoBERTa, ELECTRA, DistilBERT, DeBERTa-v2/v3,
 * ModernBERT). mlm4j reads these only from a Hugging Face folder (TensorFlow checkpoints and ONNX graphs are read as
 * BERT), and that folder is already what transformers wrote for the family: its config.json (model_type, architectures,
 * the family's own fields, labels of a task model), its safetensors under transformers' key names and its tokenizer
 * files. So the honest conversion is to re-emit them as they are, byte for byte: config.json, model.safetensors (or the
 * shard index and the shards it lists), the tokenizer files present ({@link #TOKENIZER_FILES}); then the hub card as for
 * BERT. The output loads, in mlm4j and in transformers, exactly as the input does; nothing is renamed, re-typed or left out.
 * The source was fully validated by {@link Checkpoint#open} before anything is copied.
 */
final class FamilyFolder {
    /** What transformers' tokenizers save, fast and slow: copied when present. */
    static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
            "added_tokens.json", "vocab.txt", "vocab.json", "merges.txt", "sentencepiece.bpe.model", "spm.model", "tokenizer.model");

    private static final ObjectMapper JSON = new ObjectMapper();

    private FamilyFolder() {}

    static Converter.Result write(Checkpoint c, Path dir) throws IOException {
        Path from = c.folder();
        String type = c.family().modelType();
        if (!"safetensors".equals(c.format())) {   // Checkpoint opens TensorFlow and ONNX as BERT only; kept as a guard
            throw new IllegalArgumentException("cannot convert " + from + ": mlm4j converts '" + type + "' models from Hugging Face folders"
                    + " only (TensorFlow checkpoints and ONNX graphs are read as BERT)");
        }
        Path config = from.resolve("config.json");
        Files.copy(config, dir.resolve("config.json"));
        for (String f : weightFiles(from)) Files.copy(from.resolve(f), dir.resolve(f));
        for (String f : TOKENIZER_FILES) {
            if (Files.isRegularFile(from.resolve(f))) Files.copy(from.resolve(f), dir.resolve(f));
        }
        Converter.writeCard(c, dir);

        TensorSource src = c.tensors();
        long parameters = 0;
        for (String name : src.names()) {
            DType t = src.info(name).dtype();
            if (t == DType.F32 || t == DType.F16 || t == DType.BF16) parameters += src.info(name).elements();
        }
        JsonNode architectures = JSON.readTree(config.toFile()).path("architectures");
        String architecture = architectures.isArray() && !architectures.isEmpty() ? architectures.get(0).asText() : type;
        return new Converter.Result(dir, architecture, c.config(), src.names().size(), parameters, Converter.files(dir), List.of());
    }

    /** model.safetensors, or the shard index and every shard its weight_map names. */
    private static List<String> weightFiles(Path from) throws IOException {
        Path index = from.resolve(SafetensorsCheckpoint.INDEX_FILE);
        if (!Files.isRegularFile(index)) return List.of(SafetensorsCheckpoint.SINGLE_FILE);
        Set<String> files = new LinkedHashSet<>();
        files.add(SafetensorsCheckpoint.INDEX_FILE);
        JSON.readTree(index.toFile()).path("weight_map").forEach(shard -> files.add(shard.asText()));
        return List.copyOf(files);
    }
}
