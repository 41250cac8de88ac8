package dev.mlm4j.pipelines;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.mlm4j.kernels.Gemm;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.kernels.Parallel;
import dev.mlm4j.config.Precision;
import dev.mlm4j.config.Batch;
import dev.mlm4j.model.BertModel;
import dev.mlm4j.model.Encoder;
import dev.mlm4j.model.ForwardOptions;
import dev.mlm4j.tokens.Encoding;
import dev.mlm4j.tokens.Tokenizer;

import java.lang.management.ManagementFactory;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * mlm4j and ONNX Runtime in the same JVM, on the same token ids, taking turns (ABBA order per round) so both are
 * measured under the same load: each prints median ms per forward pass, tokens/s and the ratio.
 *
 * <p>ORT runs the model's own ONNX file with {@code input_ids}, {@code attention_mask} and {@code token_type_ids}
 * (int64); a batch of different lengths is padded to the longest (mask 0 on the padding), as ORT needs. mlm4j runs
 * {@link BertModel#forward} on the same sequences packed end to end, without padding; "mlm4j-pipeline" the public
 * {@link FeatureExtraction} on the texts those sequences came from (tokenization and pooling included). ORT and the bare
 * forward stop at the last hidden state (no pooling, no copy of ORT's output to the heap); tokens/s counts real tokens,
 * not padding.
 * ORT: intra-op threads = {@code mlm4j.threads}, inter-op 1, all graph optimisations. Run one JVM per thread count
 * ({@code -Dmlm4j.threads} is read once): see scripts/bench. Besides wall-clock times it prints the process CPU time per
 * pass (all threads, the engine's own spinning included), which time-slicing by other processes does not inflate.
 *
 * <pre>java -Dmlm4j.threads=2 -cp benchmarks.jar dev.mlm4j.pipelines.SideBySide [models] [rounds] [int8]</pre>
 */
public final class SideBySide {

    /** A batch: its token ids and the texts that tokenize to them (for the pipeline). */
    record Shape(String name, List<Encoding> seqs, List<String> texts) {
        int tokens() {
            return seqs.stream().mapToInt(Encoding::length).sum();
        }

        int padded() {
            return seqs.size() * seqs.stream().mapToInt(Encoding::length).max().orElse(0);
        }
    }

    interface Engine extends AutoCloseable {
        String name();

        void run(Shape s) throws Exception;

        @Override
        default void close() throws Exception {}
    }

    public static void main(String[] args) throws Exception {
        String[] models = (args.length > 0 ? args[0] : "all-MiniLM-L6-v2,bge-small-en-v1.5").split(",");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        boolean int8 = args.length > 2 && args[2].equals("int8");
        int threads = Parallel.threads();
        List<String> brown = BenchInputs.brown();
        header("SideBySide", threads);
        for (String name : models) {
            Path folder = Models.resolve(name, null);
            BenchInputs.Loaded fp32 = BenchInputs.load(folder, Precision.FP32);
            BenchInputs.Loaded q8 = int8 ? BenchInputs.load(folder, Precision.INT8) : null;
            List<Shape> shapes = List.of(
                    fixed("1x16", fp32.tokenizer(), brown, 1, 16, 100),
                    fixed("1x128", fp32.tokenizer(), brown, 1, 128, 200),
                    fixed("32x128", fp32.tokenizer(), brown, 32, 128, 300),
                    new Shape("brown32", BenchInputs.sentences(fp32.tokenizer(), brown, 1000, 32), brown.subList(1000, 1032)));
            List<Engine> engines = new ArrayList<>();
            engines.add(new Ort(folder.resolve("model.onnx"), threads));
            engines.add(new Mlm4j("mlm4j", fp32.model()));
            engines.add(new Pipeline(Models.embeddings(folder.toString()), shapes));
            if (q8 != null) engines.add(new Mlm4j("mlm4j-int8", q8.model()));
            for (Shape s : shapes) {                                  // warm-up: C2 compiles mlm4j's kernels, ORT its arena
                for (Engine e : engines) for (int i = 0; i < (s.tokens() > 1000 ? 4 : 30); i++) e.run(s);
            }
            for (Shape s : shapes) measure(name, s, engines, rounds, threads);
            for (Engine e : engines) e.close();
        }
    }

    /** {@code batch} sequences of exactly {@code length} tokens ({@link BenchInputs#fixed}) and their texts. */
    static Shape fixed(String name, Tokenizer t, List<String> brown, int batch, int length, int first) {
        List<BenchInputs.Cut> cuts = BenchInputs.cuts(t, brown, batch, length, first);
        return new Shape(name, cuts.stream().map(BenchInputs.Cut::encoding).toList(), cuts.stream().map(BenchInputs.Cut::text).toList());
    }

    /** The first line of a run: the JVM, the kernels (their vector species), the threads, the GEMM and the load. */
    static void header(String title, int threads) {
        System.out.printf(Locale.ROOT, "# %s %s | %s | %s | threads=%d | %s | load %s%n", title, java.time.Instant.now(),
                System.getProperty("java.vm.version"), Kernels.get().name(), threads, Gemm.describe(), loadavg());
    }

    /** Rounds of: each engine runs {@code reps} timed passes, engine order reversed every other round. */
    static void measure(String model, Shape s, List<Engine> engines, int rounds, int threads) throws Exception {
        int reps = s.tokens() > 1000 ? 5 : s.tokens() > 100 ? 15 : 40;
        Map<String, List<Double>> all = new LinkedHashMap<>(), cpu = new HashMap<>();
        Map<String, double[]> roundMedian = new HashMap<>();
        for (Engine e : engines) {
            all.put(e.name(), new ArrayList<>());
            cpu.put(e.name(), new ArrayList<>());
            roundMedian.put(e.name(), new double[rounds]);
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int r = 0; r < rounds; r++) {
            List<Engine> order = new ArrayList<>(engines);
            if (r % 2 == 1) java.util.Collections.reverse(order);
            for (Engine e : order) {
                double[] t = new double[reps];
                long c0 = os.getProcessCpuTime();           // 10 ms resolution here: taken over the round's passes
                for (int i = 0; i < reps; i++) {
                    long t0 = System.nanoTime();
                    e.run(s);
                    t[i] = (System.nanoTime() - t0) / 1e6;
                    all.get(e.name()).add(t[i]);
                }
                cpu.get(e.name()).add((os.getProcessCpuTime() - c0) / 1e6 / reps);
                roundMedian.get(e.name())[r] = BenchInputs.median(t);
            }
        }
        double[] ort = roundMedian.get("ort");
        for (Engine e : engines) {
            double[] v = all.get(e.name()).stream().mapToDouble(Double::doubleValue).toArray();
            double[] c = cpu.get(e.name()).stream().mapToDouble(Double::doubleValue).toArray();
            double med = BenchInputs.median(roundMedian.get(e.name()));
            double[] ratio = new double[rounds];
            for (int r = 0; r < rounds; r++) ratio[r] = ort[r] / roundMedian.get(e.name())[r];
            java.util.Arrays.sort(v);
            System.out.printf(Locale.ROOT, "%s %s threads=%d %s median_ms=%.2f min_ms=%.2f max_ms=%.2f tokens_per_s=%.0f cpu_ms=%.2f speed_vs_ort=%.2f tokens=%d padded=%d load=%s%n",
                    model, s.name(), threads, e.name(), med, v[0], v[v.length - 1], s.tokens() / med * 1000, BenchInputs.median(c),
                    BenchInputs.median(ratio), s.tokens(), s.padded(), loadavg());
        }
    }

    static String loadavg() {
        try {
            return java.nio.file.Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (Exception e) {
            return "?";
        }
    }

    /** mlm4j: the packed batch through the encoder (of any family). */
    record Mlm4j(String name, Encoder model) implements Engine {
        @Override
        public void run(Shape s) {
            model.forward(Batch.of(s.seqs()), ForwardOptions.DEFAULT);
        }
    }

    /**
     * What a user calls: the model's {@link FeatureExtraction} on the shape's texts — tokenization, the packed batch,
     * the encoder, the model's pooling and normalisation, a vector per text. Checked once per shape to run the very
     * tokens the other engines run. ORT's time has no tokenizer in it, so this engine's ratio is the strict one.
     */
    static final class Pipeline implements Engine {
        private final FeatureExtraction fe;

        Pipeline(FeatureExtraction fe, List<Shape> shapes) {
            this.fe = fe;
            for (Shape s : shapes) {
                for (int i = 0; i < s.texts().size(); i++) {
                    Encoding want = s.seqs().get(i), got = fe.encode(s.texts().get(i), i, FeatureExtraction.Options.DEFAULT);
                    if (!java.util.Arrays.equals(want.ids(), got.ids())) {
                        throw new IllegalStateException(s.name() + " text " + i + ": the pipeline tokenizes it to " + got.length()
                                + " tokens, not the " + want.length() + " the other engines run");
                    }
                }
            }
        }

        @Override
        public String name() {
            return "mlm4j-pipeline";
        }

        @Override
        public void run(Shape s) {
            if (fe.embed(s.texts()).size() != s.texts().size()) throw new IllegalStateException("a vector per text");
        }
    }

    /** ONNX Runtime on the model's ONNX file; the padded int64 inputs are made once per shape. */
    static final class Ort implements Engine {
        private final OrtEnvironment env = OrtEnvironment.getEnvironment();
        private final OrtSession session;
        private final Map<Shape, Map<String, OnnxTensor>> inputs = new HashMap<>();

        Ort(Path onnx, int threads) throws OrtException {
            OrtSession.SessionOptions so = new OrtSession.SessionOptions();
            so.setIntraOpNumThreads(threads);
            so.setInterOpNumThreads(1);
            so.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = env.createSession(onnx.toString(), so);
        }

        @Override
        public String name() {
            return "ort";
        }

        @Override
        public void run(Shape s) throws OrtException {
            Map<String, OnnxTensor> in = inputs.computeIfAbsent(s, this::tensors);
            try (OrtSession.Result r = session.run(in)) {
                if (r.size() == 0) throw new IllegalStateException("no output");
            }
        }

        private Map<String, OnnxTensor> tensors(Shape s) {
            int b = s.seqs().size(), len = s.padded() / b;
            long[] ids = new long[b * len], mask = new long[b * len], types = new long[b * len];
            for (int i = 0; i < b; i++) {
                Encoding e = s.seqs().get(i);
                for (int t = 0; t < e.length(); t++) {
                    ids[i * len + t] = e.ids()[t];
                    mask[i * len + t] = 1;
                    types[i * len + t] = e.typeIds()[t];
                }
            }
            try {
                Map<String, OnnxTensor> m = new LinkedHashMap<>();
                long[] shape = {b, len};
                for (String name : session.getInputNames()) {
                    long[] data = switch (name) {
                        case "input_ids" -> ids;
                        case "attention_mask" -> mask;
                        case "token_type_ids" -> types;
                        default -> throw new IllegalStateException("unexpected ONNX input " + name);
                    };
                    m.put(name, OnnxTensor.createTensor(env, LongBuffer.wrap(data), shape));
                }
                return m;
            } catch (OrtException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() throws OrtException {
            for (Map<String, OnnxTensor> m : inputs.values()) for (OnnxTensor t : m.values()) t.close();
            session.close();
        }
    }
}
