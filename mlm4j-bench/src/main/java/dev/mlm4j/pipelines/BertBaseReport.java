package dev.mlm4j.pipelines;

import dev.mlm4j.kernels.Epilogue;
import dev.mlm4j.kernels.Gemm;
import dev.mlm4j.kernels.PackedMatrix;
import dev.mlm4j.kernels.Parallel;
import dev.mlm4j.config.Precision;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.model.ForwardOptions;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tokens.Encoding;

import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * bert-base-uncased (no ONNX file to run ORT on): encoder latency at 1 × 128 tokens next to the fp32 GEMM bound, the
 * time the encoder's linear layers alone take on {@link Gemm} at the same shapes (12 layers × QKV 768→2304,
 * output 768→768, intermediate 768→3072, output 3072→768, each layer with its own weights so they stream from
 * memory as the model's do), measured in the same run, in alternating rounds.
 * <pre>java -Dmlm4j.threads=N -cp benchmarks.jar dev.mlm4j.pipelines.BertBaseReport [rounds] [int8]</pre>
 */
public final class BertBaseReport {
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        boolean int8 = args.length > 1 && args[1].equals("int8");
        var folder = Models.resolve("bert-base-uncased", null);
        BenchInputs.Loaded m = BenchInputs.load(folder, Precision.FP32);
        BenchInputs.Loaded q = int8 ? BenchInputs.load(folder, Precision.INT8) : null;
        BertConfig c = m.model().config();
        int n = 128, h = c.hiddenSize(), f = c.intermediateSize(), layers = c.numHiddenLayers();
        List<Encoding> seq = BenchInputs.fixed(m.tokenizer(), BenchInputs.brown(), 1, n, 200);
        Random r = new Random(1);
        int[][] shapes = {{h, 3 * h}, {h, h}, {h, f}, {f, h}};
        PackedMatrix[][] w = new PackedMatrix[layers][4];
        FloatTensor[] bias = new FloatTensor[4], x = new FloatTensor[4], y = new FloatTensor[4];
        for (int s = 0; s < 4; s++) {
            for (int l = 0; l < layers; l++) w[l][s] = PackedMatrix.pack(random(r, shapes[s][1], shapes[s][0]));
            bias[s] = random(r, shapes[s][1]);
            x[s] = random(r, n, shapes[s][0]);
            y[s] = FloatTensor.zeros(n, shapes[s][1]);
        }
        double flops = 2.0 * n * layers * (h * 3.0 * h + h * h + 2.0 * h * f);
        System.out.printf(Locale.ROOT, "# BertBaseReport %s | threads=%d | %s | load %s | linear layers: %.1f GFLOP per 1×%d pass%n", java.time.Instant.now(),
                Parallel.threads(), Gemm.describe(), SideBySide.loadavg(), flops / 1e9, n);
        Runnable gemms = () -> {
            for (int l = 0; l < layers; l++) for (int s = 0; s < 4; s++) Gemm.linear(x[s], w[l][s], bias[s], Epilogue.BIAS, null, y[s]);
        };
        Runnable fwd = () -> m.model().forward(Batch.of(seq), ForwardOptions.DEFAULT);
        Runnable fwd8 = q == null ? null : () -> q.model().forward(Batch.of(seq), ForwardOptions.DEFAULT);
        for (int i = 0; i < 15; i++) {
            fwd.run();
            gemms.run();
            if (fwd8 != null) fwd8.run();
        }
        int reps = 9;
        double[] tf = new double[rounds], tg = new double[rounds], t8 = new double[rounds], ratio = new double[rounds];
        double lo = Double.MAX_VALUE, hi = 0, glo = Double.MAX_VALUE, ghi = 0, lo8 = Double.MAX_VALUE, hi8 = 0;
        for (int k = 0; k < rounds; k++) {
            double[] a = time(fwd, reps), b = time(gemms, reps), e = fwd8 == null ? new double[] {0} : time(fwd8, reps);
            tf[k] = BenchInputs.median(a);
            tg[k] = BenchInputs.median(b);
            t8[k] = BenchInputs.median(e);
            ratio[k] = tf[k] / tg[k];
            for (double v : a) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
            for (double v : b) { glo = Math.min(glo, v); ghi = Math.max(ghi, v); }
            for (double v : e) { lo8 = Math.min(lo8, v); hi8 = Math.max(hi8, v); }
        }
        double mf = BenchInputs.median(tf), mg = BenchInputs.median(tg);
        System.out.printf(Locale.ROOT, "bert-base-uncased 1x%d threads=%d forward median_ms=%.1f [%.1f-%.1f] | linear layers alone on Gemm median_ms=%.1f [%.1f-%.1f] = %.0f GFLOP/s"
                        + " | forward / GEMM bound = %.2f (median of per-round ratios)%s | load %s%n",
                n, Parallel.threads(), mf, lo, hi, mg, glo, ghi, flops / mg / 1e6, BenchInputs.median(ratio),
                fwd8 == null ? "" : String.format(Locale.ROOT, " | int8 forward median_ms=%.1f [%.1f-%.1f]", BenchInputs.median(t8), lo8, hi8), SideBySide.loadavg());
    }

    static double[] time(Runnable r, int reps) {
        double[] t = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            r.run();
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        return t;
    }

    static FloatTensor random(Random r, int... shape) {
        FloatTensor t = FloatTensor.zeros(shape);
        for (int i = 0; i < t.data().length; i++) t.data()[i] = (float) r.nextGaussian() * 0.05f;
        return t;
    }
}
