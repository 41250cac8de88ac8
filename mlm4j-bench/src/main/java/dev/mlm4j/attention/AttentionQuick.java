package dev.mlm4j.attention;

import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.kernels.Parallel;
import dev.mlm4j.tensor.FloatTensor;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * The attention of one layer (all heads of one sequence, on the strided head views of a fused QKV matrix, as
 * BertSelfAttention runs it) on the exact path (scores → softmax → A V, the (n, n) matrix materialised) and on the
 * tiled path (FlashAttention), in alternating rounds on one thread; median µs per layer [min–max] and the ratio.
 * <pre>java -cp benchmarks.jar dev.mlm4j.attention.AttentionQuick [n,…] [heads] [headSize]</pre>
 */
public final class AttentionQuick {
    public static void main(String[] args) {
        int[] lengths = Arrays.stream((args.length > 0 ? args[0] : "16,32,128,512").split(",")).mapToInt(Integer::parseInt).toArray();
        int heads = args.length > 1 ? Integer.parseInt(args[1]) : 12, d = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        Kernels k = Kernels.get();
        System.out.printf(Locale.ROOT, "# AttentionQuick %s | %s | %d heads × %d | one thread | load %s%n", java.time.Instant.now(), k.name(), heads, d, load());
        for (int n : lengths) {
            Random r = new Random(n);
            FloatTensor qkv = FloatTensor.zeros(n, 3 * heads * d), ctx = FloatTensor.zeros(n, heads * d), work = FloatTensor.zeros(n, n);
            for (int i = 0; i < qkv.data().length; i++) qkv.data()[i] = (float) r.nextGaussian();
            Runnable exact = () -> {
                for (int h = 0; h < heads; h++) {
                    ScaledDotProductAttention.attend(k, qkv.columns(h * d, d), qkv.columns((heads + h) * d, d), qkv.columns((2 * heads + h) * d, d),
                            AttentionMask.BIDIRECTIONAL, FloatTensor.zeros(n, n), ctx.columns(h * d, d), null);
                }
            };
            Runnable tiled = () -> {
                for (int h = 0; h < heads; h++) {
                    ScaledDotProductAttention.attend(k, qkv.columns(h * d, d), qkv.columns((heads + h) * d, d), qkv.columns((2 * heads + h) * d, d),
                            AttentionMask.BIDIRECTIONAL, ctx.columns(h * d, d));
                }
            };
            int reps = Math.max(5, (int) (2e8 / ((double) n * n * d * heads * 4)));
            for (int i = 0; i < 3 * reps; i++) {
                exact.run();
                tiled.run();
            }
            double[] te = new double[5 * reps], tt = new double[5 * reps];
            for (int round = 0, at = 0; round < 5; round++) {
                for (int i = 0; i < reps; i++, at++) {
                    te[at] = time(round % 2 == 0 ? exact : tiled);
                    tt[at] = time(round % 2 == 0 ? tiled : exact);
                }
                if (round % 2 == 1) for (int i = at - reps; i < at; i++) { double t = te[i]; te[i] = tt[i]; tt[i] = t; }
            }
            Arrays.sort(te);
            Arrays.sort(tt);
            System.out.printf(Locale.ROOT, "attention n=%d heads=%d d=%d exact_us=%.1f [%.1f-%.1f] tiled_us=%.1f [%.1f-%.1f] exact/tiled=%.2f threads-used=1 (of %d)%n",
                    n, heads, d, te[te.length / 2], te[0], te[te.length - 1], tt[tt.length / 2], tt[0], tt[tt.length - 1], te[te.length / 2] / tt[tt.length / 2], Parallel.threads());
        }
    }

    private static double time(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return (System.nanoTime() - t0) / 1e3;
    }

    private static String load() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
        } catch (Exception e) {
            return "?";
        }
    }
}
