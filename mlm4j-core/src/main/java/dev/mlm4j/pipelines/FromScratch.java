package dev.mlm4j.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.safetensors.SafetensorsWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A BERT masked LM ({@code BertForMaskedLM}) with random weights, the start of pre-training from scratch: weights
 * drawn as transformers' {@code BertPreTrainedModel._init_weights} draws them — every Linear and Embedding weight from
 * N(0, initializer_range²), the padding row of the word embeddings zero, biases zero, LayerNorm weight 1 and bias 0,
 * the decoder tied to the word embeddings — from {@code java.util.Random(seed)} in the tensors' sorted name order (so
 * the same seed gives the same weights; not PyTorch's numbers). Written as a Hugging Face folder
 * ({@code config.json}, {@code model.safetensors}, {@code vocab.txt}, {@code tokenizer_config.json}) that
 * transformers' {@code from_pretrained} and every mlm4j command load.
 */
public final class FromScratch {
    private FromScratch() {}

    /** The size of a model: what {@code config.json} says about its shape. */
    public record Size(int hiddenSize, int numHiddenLayers, int numAttentionHeads, int intermediateSize, int maxPositionEmbeddings) {
        public Size {
            if (hiddenSize <= 0 || numHiddenLayers <= 0 || numAttentionHeads <= 0 || intermediateSize <= 0 || maxPositionEmbeddings <= 0) {
                throw new IllegalArgumentException("model sizes must be positive: " + this);
            }
            if (hiddenSize % numAttentionHeads != 0) {
                throw new IllegalArgumentException("hidden_size " + hiddenSize + " is not a multiple of num_attention_heads " + numAttentionHeads);
            }
        }
    }

    /** Named sizes for {@code --config}: tiny (CI), mini and small (BERT's "compact models" shapes, 128 positions). */
    public static final Map<String, Size> PRESETS = Map.of(
            "tiny", new Size(32, 2, 4, 64, 128),
            "mini", new Size(256, 4, 4, 1024, 128),
            "small", new Size(512, 4, 8, 2048, 128));

    /**
     * config.json's key for a model without position embeddings (Theorem 1's setting): value {@code "none"}. The
     * position table is then zero and {@code ./mlm4j train} keeps it frozen at zero, so transformers (which adds the
     * table) computes the same model; a trainer outside mlm4j must freeze it too.
     */
    public static final String NO_POSITIONS_KEY = "mlm4j_position_embeddings";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * The size named {@code spec} ({@link #PRESETS}) or read from the JSON file {@code spec} (its {@code hidden_size},
     * {@code num_hidden_layers}, {@code num_attention_heads}, {@code intermediate_size} (default 4 × hidden),
     * {@code max_position_embeddings} (default 512)).
     */
    public static Size size(String spec) {
        Size preset = PRESETS.get(spec.toLowerCase(Locale.ROOT));
        if (preset != null) return preset;
        Path file = Path.of(spec);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--config " + spec + " is neither a preset " + PRESETS.keySet().stream().sorted().toList() + " nor a file");
        }
        JsonNode c;
        try {
            c = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + spec + " as JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (!c.has("hidden_size") || !c.has("num_hidden_layers") || !c.has("num_attention_heads")) {
            throw new IllegalArgumentException(spec + " needs hidden_size, num_hidden_layers and num_attention_heads");
        }
        int hidden = c.get("hidden_size").asInt();
        return new Size(hidden, c.get("num_hidden_layers").asInt(), c.get("num_attention_heads").asInt(),
                c.path("intermediate_size").asInt(4 * hidden), c.path("max_position_embeddings").asInt(512));
    }

    /**
     * Writes a randomly initialised {@code BertForMaskedLM} of {@code size} with the WordPiece vocabulary {@code vocab}
     * (one token a line, needs {@code [PAD] [UNK] [CLS] [SEP] [MASK]}) into {@code output} (created; must not hold a
     * model) and returns it.
     */
    public static Path write(Size size, Path vocab, boolean lowercase, long seed, Path output) {
        return write(size, vocab, lowercase, true, seed, output);
    }

    /** As {@link #write(Size, Path, boolean, long, Path)}; {@code positions} false: no position embeddings ({@link #NO_POSITIONS_KEY}). */
    public static Path write(Size size, Path vocab, boolean lowercase, boolean positions, long seed, Path output) {
        try {
            List<String> tokens = Files.readAllLines(vocab, StandardCharsets.UTF_8);
            while (!tokens.isEmpty() && tokens.getLast().isEmpty()) tokens.removeLast();
            for (String special : List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")) {
                if (!tokens.contains(special)) throw new IllegalArgumentException("vocabulary " + vocab + " has no " + special);
            }
            if (Files.exists(output.resolve("config.json"))) throw new IllegalArgumentException(output + " already holds a model");
            Files.createDirectories(output);
            int v = tokens.size(), h = size.hiddenSize(), pad = tokens.indexOf("[PAD]");
            double range = 0.02;
            Map<String, FloatTensor> t = new TreeMap<>();
            t.put("bert.embeddings.word_embeddings.weight", FloatTensor.zeros(v, h));
            t.put("bert.embeddings.position_embeddings.weight", FloatTensor.zeros(size.maxPositionEmbeddings(), h));
            t.put("bert.embeddings.token_type_embeddings.weight", FloatTensor.zeros(2, h));
            layerNorm(t, "bert.embeddings.LayerNorm", h);
            for (int l = 0; l < size.numHiddenLayers(); l++) {
                String p = "bert.encoder.layer." + l + ".";
                for (String n : List.of("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense")) {
                    linear(t, p + n, h, h);
                }
                layerNorm(t, p + "attention.output.LayerNorm", h);
                linear(t, p + "intermediate.dense", size.intermediateSize(), h);
                linear(t, p + "output.dense", h, size.intermediateSize());
                layerNorm(t, p + "output.LayerNorm", h);
            }
            linear(t, "cls.predictions.transform.dense", h, h);
            layerNorm(t, "cls.predictions.transform.LayerNorm", h);
            t.put("cls.predictions.bias", FloatTensor.zeros(v));
            Random random = new Random(seed);
            for (Map.Entry<String, FloatTensor> e : t.entrySet()) {
                boolean drawn = e.getKey().endsWith("embeddings.weight") || e.getKey().endsWith("dense.weight")
                        || e.getKey().matches(".*\\.(query|key|value)\\.weight");
                if (!drawn || (!positions && e.getKey().endsWith("position_embeddings.weight"))) continue;
                float[] d = e.getValue().data();
                for (int i = 0; i < d.length; i++) d[i] = (float) (random.nextGaussian() * range);
            }
            java.util.Arrays.fill(t.get("bert.embeddings.word_embeddings.weight").data(), pad * h, (pad + 1) * h, 0f);
            SafetensorsWriter.write(output.resolve("model.safetensors"), t,
                    Map.of("format", "pt", "source", "mlm4j FromScratch: N(0, " + range + "²) seed " + seed));
            ObjectNode c = JSON.createObjectNode();
            c.putArray("architectures").add("BertForMaskedLM");
            c.put("model_type", "bert");
            c.put("attention_probs_dropout_prob", 0.1);
            c.put("hidden_act", "gelu");
            c.put("hidden_dropout_prob", 0.1);
            c.put("hidden_size", h);
            c.put("initializer_range", range);
            c.put("intermediate_size", size.intermediateSize());
            c.put("layer_norm_eps", 1e-12);
            c.put("max_position_embeddings", size.maxPositionEmbeddings());
            c.put("num_attention_heads", size.numAttentionHeads());
            c.put("num_hidden_layers", size.numHiddenLayers());
            c.put("pad_token_id", pad);
            c.put("tie_word_embeddings", true);
            c.put("type_vocab_size", 2);
            c.put("vocab_size", v);
            if (!positions) c.put(NO_POSITIONS_KEY, "none");
            Files.writeString(output.resolve("config.json"), JSON.writeValueAsString(c));
            Files.write(output.resolve("vocab.txt"), tokens, StandardCharsets.UTF_8);
            ObjectNode tc = JSON.createObjectNode();
            tc.put("tokenizer_class", "BertTokenizer");
            tc.put("do_lower_case", lowercase);
            tc.put("model_max_length", size.maxPositionEmbeddings());
            Files.writeString(output.resolve("tokenizer_config.json"), JSON.writeValueAsString(tc));
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    private static void linear(Map<String, FloatTensor> t, String name, int out, int in) {
        t.put(name + ".weight", FloatTensor.zeros(out, in));
        t.put(name + ".bias", FloatTensor.zeros(out));
    }

    private static void layerNorm(Map<String, FloatTensor> t, String name, int h) {
        FloatTensor w = FloatTensor.zeros(h);
        java.util.Arrays.fill(w.data(), 1f);
        t.put(name + ".weight", w);
        t.put(name + ".bias", FloatTensor.zeros(h));
    }
}
