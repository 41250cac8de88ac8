package dev.mlm4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.util.ProgressListener;
import dev.mlm4j.weights.safetensors.SafetensorsCheckpoint;
import dev.mlm4j.weights.safetensors.SafetensorsWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.mlm4j.JsonArrays.intRows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Gradient parity on all-MiniLM-L6-v2's real weights (issue 18, (b)): the loss and every parameter's gradient of a fixed
 * batch of four real sentences (one a pair), for the masked-LM, sequence-classification and token-classification heads,
 * against transformers' autograd in float64 (training/minilm/, from
 * {@code scripts/reference/training/gradient_parity.py --minilm}). The encoder is the catalogue's all-MiniLM-L6-v2
 * converted by mlm4j's own converter (its sha256 is the fixture's); it has no MLM head, pooler or classifier, so each
 * head is drawn from a counter-based generator both sides compute (heads.json) and assembled onto the encoder by the
 * product's own {@code convert --head}.
 *
 * <p>What is compared, per parameter tensor (the fixture cannot hold 22 M gradients):
 * <ul>
 *   <li>tensors of at most 4096 elements (biases, LayerNorms, token types, classifiers): whole, the relative error
 *       ‖g − g_ref‖₂ / ‖g_ref‖₂;</li>
 *   <li>larger tensors: the same ratio estimated by 16 shared Rademacher projections (‖S g − S g_ref‖ / ‖S g_ref‖,
 *       Johnson–Lindenstrauss: within a factor ~1.5 of the true ratio), and the norms' relative difference;</li>
 *   <li>and 128 sampled elements (half among the non-zero ones): max |g_i − g_ref,i| / max(|g_ref,i|, rms(g_ref)), the
 *       RMS of the tensor's reference gradient as the absolute floor (an element far below the tensor's typical size
 *       is measured against that size, not against itself).</li>
 * </ul>
 * Bounds: 1e-4 for the tensor-level ratios (the issue's), 1e-3 for single elements. A tensor whose reference is zero in
 * exact arithmetic (the key biases: a softmax ignores a shift along its row) is measured against the largest gradient
 * norm of the model instead of its own. The test prints the worst of each measure.
 */
class MiniLmGradientParityTest {
    private static final double TENSOR_TOLERANCE = 1e-4, ELEMENT_TOLERANCE = 1e-3, LOSS_TOLERANCE = 1e-5;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path CACHE = Path.of("target", "task-models");

    @ParameterizedTest
    @ValueSource(strings = {"mlm", "classify", "tag"})
    void lossAndEveryGradientMatchTransformersOnMiniLm(String head) throws Exception {
        Path res = Path.of(MiniLmGradientParityTest.class.getResource("/training/minilm/heads.json").toURI()).getParent();
        JsonNode fixture = JSON.readTree(res.resolve("heads.json").toFile());
        Path encoder = encoder(fixture.get("encoder").asText(), fixture.get("encoder_model_safetensors_sha256").asText());
        JsonNode spec = fixture.get("heads").get(head), b = fixture.get(head);
        Path dir = assemble(encoder, head, spec);
        Batch batch = Batch.of(intRows(b.get("ids")), intRows(b.get("token_types")));
        int[] labels = Arrays.stream(intRows(b.get("labels"))).flatMapToInt(Arrays::stream).toArray();
        Gradients g = new Gradients();
        double loss;
        try (Checkpoint c = Checkpoint.open(dir)) {
            Task<?> task = switch (head) {
                case "mlm" -> Task.MASKED_LM;
                case "classify" -> Task.SEQUENCE_CLASSIFICATION;
                default -> Task.TOKEN_CLASSIFICATION;
            };
            loss = ((Trainable) c.load(task, Precision.FP32).orElseThrow()).lossAndGradients(Kernels.get(), batch, labels, g);
        }
        JsonNode settings = fixture.get("gradients");
        compare(head, res.resolve("gradients-" + head + ".safetensors"), loss, g, settings.get("sketch").asInt(), settings.get("sketch_seed").asLong());
    }

    private static void compare(String head, Path file, double loss, Gradients g, int sketches, long sketchSeed) throws Exception {
        try (SafetensorsCheckpoint ref = SafetensorsCheckpoint.open(file)) {
            double torchLoss = ref.load("loss").get(0);
            assertEquals(torchLoss, loss, LOSS_TOLERANCE * Math.abs(torchLoss), "loss");
            List<String> params = ref.names().stream().filter(n -> !n.equals("loss") && !n.endsWith("@index") && !n.endsWith("@value")
                    && !n.endsWith("@sketch")).map(n -> n.endsWith("@norm") ? n.substring(0, n.length() - 5) : n).sorted().toList();
            Map<String, Double> refNorms = new LinkedHashMap<>();
            for (String p : params) refNorms.put(p, ref.names().contains(p) ? norm(ref.load(p).toArray()) : ref.load(p + "@norm").get(0));
            double modelScale = refNorms.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            List<String> failures = new ArrayList<>();
            double worstTensor = 0, worstElement = 0, worstNorm = 0;
            String worstTensorName = "", worstElementName = "";
            for (String p : params) {
                FloatTensor got = g.get(p);
                if (got == null) {
                    failures.add(p + ": no gradient");
                    continue;
                }
                float[] gd = got.toArray();
                double refNorm = refNorms.get(p), scale = refNorm < 1e-9 * modelScale ? modelScale : refNorm;
                double tensorRel;
                if (ref.names().contains(p)) {                                         // whole tensor
                    float[] want = ref.load(p).toArray();
                    double d = 0;
                    for (int i = 0; i < want.length; i++) d += sq(gd[i] - (double) want[i]);
                    tensorRel = Math.sqrt(d) / scale;
                } else {                                                               // sketch, norm, sampled elements
                    float[] sketch = ref.load(p + "@sketch").toArray();
                    double d = 0, s = 0;
                    for (int k = 0; k < sketches; k++) {
                        double proj = project(gd, sketchSeed + k);
                        d += sq(proj - sketch[k]);
                        s += sq(sketch[k]);
                    }
                    tensorRel = refNorm < 1e-9 * modelScale ? Math.sqrt(d / sketches) / scale : Math.sqrt(d / s);
                    double normRel = Math.abs(norm(gd) - refNorm) / scale;
                    worstNorm = Math.max(worstNorm, normRel);
                    if (normRel > TENSOR_TOLERANCE) failures.add(p + ": norm relative difference " + normRel);
                    float[] index = ref.load(p + "@index").toArray(), value = ref.load(p + "@value").toArray();
                    double floor = refNorm / Math.sqrt(gd.length);
                    for (int i = 0; i < index.length; i++) {
                        double e = Math.abs(gd[(int) index[i]] - value[i]) / Math.max(Math.abs(value[i]), floor);
                        if (e > worstElement) {
                            worstElement = e;
                            worstElementName = p + "[" + (int) index[i] + "]";
                        }
                        if (e > ELEMENT_TOLERANCE) failures.add(p + "[" + (int) index[i] + "]: " + gd[(int) index[i]] + " vs torch " + value[i]);
                    }
                }
                if (tensorRel > worstTensor) {
                    worstTensor = tensorRel;
                    worstTensorName = p;
                }
                if (tensorRel > TENSOR_TOLERANCE) failures.add(p + ": ‖g − g_ref‖/‖g_ref‖ = " + tensorRel);
            }
            System.out.printf("all-MiniLM-L6-v2 %s: loss %.9f (torch %.9f), %d tensors; worst ‖g − g_ref‖/‖g_ref‖ %.2e (%s), "
                            + "worst norm difference %.2e, worst sampled element %.2e (%s)%n", head, loss, torchLoss, params.size(),
                    worstTensor, worstTensorName, worstNorm, worstElement, worstElementName);
            assertTrue(params.size() > 100, "every parameter of the model: " + params.size());
            assertTrue(failures.isEmpty(), failures.size() + " mismatches, first: " + failures.subList(0, Math.min(8, failures.size())));
        }
    }

    // ---- the heads: drawn from the generator gradient_parity.py uses, assembled by the product's converter ----------

    /** SplitMix64's finaliser (as gradient_parity.py's mix64). */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Σ_i σ(i) g_i, σ(i) = ±1 by the sign bit of SplitMix64(seed·φ + i). */
    private static double project(float[] g, long seed) {
        long base = seed * 0x9E3779B97F4A7C15L;
        double s = 0;
        for (int i = 0; i < g.length; i++) s += mix(base + i) < 0 ? -g[i] : g[i];
        return s;
    }

    /** offset + (2u − 1)·amplitude, u = the top 24 bits of SplitMix64(seed·φ + i) / 2²⁴. */
    static FloatTensor uniform(long seed, int[] shape, double amplitude, double offset) {
        FloatTensor t = FloatTensor.zeros(shape);
        long base = seed * 0x9E3779B97F4A7C15L;
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = (float) (offset + (2 * ((mix(base + i) >>> 40) / (double) (1 << 24)) - 1) * amplitude);
        return t;
    }

    private static Path assemble(Path encoder, String head, JsonNode spec) throws Exception {
        Path dir = CACHE.resolve("minilm-train-" + head);
        if (Files.isRegularFile(dir.resolve("config.json"))) return dir;
        Path headDir = Files.createTempDirectory("minilm-head-");
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        for (JsonNode t : spec.get("tensors")) {
            int[] shape = new int[t.get(1).size()];
            for (int i = 0; i < shape.length; i++) shape[i] = t.get(1).get(i).asInt();
            tensors.put(t.get(0).asText(), uniform(t.get(2).asLong(), shape, t.get(3).asDouble(), t.get(4).asDouble()));
        }
        SafetensorsWriter.write(headDir.resolve("head.safetensors"), tensors, Map.of());
        ObjectNode fragment = ((ObjectNode) spec.get("fragment").deepCopy());
        fragment.putArray("architectures").add(spec.get("architecture").asText());
        JSON.writeValue(headDir.resolve("config-fragment.json").toFile(), fragment);
        Models.convert(encoder.toString(), dir, false, headDir, ProgressListener.NONE);
        return dir;
    }

    /** {@code ./mlm4j convert NAME}'s folder, cached (as the task fixtures cache it), checked against the fixture's sha256. */
    private static synchronized Path encoder(String name, String sha256) throws Exception {
        Path dir = CACHE.resolve("encoders").resolve(name);
        if (!Files.isRegularFile(dir.resolve("config.json"))) Models.convert(name, dir, true, ProgressListener.NONE);
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(dir.resolve("model.safetensors"))) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        assertEquals(sha256, HexFormat.of().formatHex(md.digest()), "the converter's output for " + name + " is not the one the fixture was made from");
        return dir;
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) s += (double) x * x;
        return Math.sqrt(s);
    }

    private static double sq(double x) {
        return x * x;
    }
}
