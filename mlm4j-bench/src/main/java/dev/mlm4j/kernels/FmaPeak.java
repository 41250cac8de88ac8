package dev.mlm4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;
import java.util.concurrent.CyclicBarrier;

/**
 * This machine's FMA peak as the Vector API reaches it: each thread runs twelve independent chains of
 * {@code acc = x · y + acc} on the preferred species (enough to cover the FMA latency on two ports, and twelve
 * accumulators fit the 16 registers of AVX2), no loads or stores. The GEMM's GFLOP/s divided by this is its
 * fraction of peak ({@code scripts/bench-gemm} prints both). Median of 7 samples of ~100 ms, all threads started
 * together, from the first thread's start to the last one's end.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp benchmarks.jar dev.mlm4j.kernels.FmaPeak [threads,...]</pre>
 * prints {@code peak threads=T gflops=G species=B-bit} per thread count.
 */
public final class FmaPeak {
    private FmaPeak() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static volatile float sink;

    private static final float[] OPERANDS = new float[2 * S.length()];

    static {
        Arrays.fill(OPERANDS, 0.5f);
    }

    /**
     * 24 · lanes FLOPs per iteration, in the GEMM's own form: {@code acc = x · y + acc} with x and y loaded (not
     * constants). The earlier form, {@code a = a · x + y} with broadcast constants, reached only 100 of 117 GFLOP/s
     * per core on a Zen 4 under {@code -XX:UseAVX=2} (the GEMM then ran at "110 % of peak"); this one reaches 117 there
     * and the same 117 at 512 bits.
     */
    static float chains(long iterations) {
        FloatVector x = FloatVector.fromArray(S, OPERANDS, 0), y = FloatVector.fromArray(S, OPERANDS, S.length());
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (long i = 0; i < iterations; i++) {
            a0 = x.fma(y, a0);
            a1 = x.fma(y, a1);
            a2 = x.fma(y, a2);
            a3 = x.fma(y, a3);
            a4 = x.fma(y, a4);
            a5 = x.fma(y, a5);
            a6 = x.fma(y, a6);
            a7 = x.fma(y, a7);
            a8 = x.fma(y, a8);
            a9 = x.fma(y, a9);
            a10 = x.fma(y, a10);
            a11 = x.fma(y, a11);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11).reduceLanes(VectorOperators.ADD);
    }

    /** GFLOP/s of {@code threads} threads running {@link #chains} at once. */
    static double measure(int threads) throws Exception {
        long iterations = 4_000_000;
        for (int i = 0; i < 20; i++) sink += chains(200_000);         // C2 compiles it
        double[] samples = new double[7];
        for (int s = 0; s < samples.length; s++) {
            // each thread times itself (the caller would be a third thread on two cores, its clock read late)
            CyclicBarrier start = new CyclicBarrier(threads);
            long[] from = new long[threads], to = new long[threads];
            Thread[] ts = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                int id = t;
                ts[t] = new Thread(() -> {
                    try {
                        start.await();
                        from[id] = System.nanoTime();
                        float r = chains(iterations);
                        to[id] = System.nanoTime();
                        sink += r;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                ts[t].start();
            }
            for (Thread t : ts) t.join();
            long ns = Arrays.stream(to).max().orElseThrow() - Arrays.stream(from).min().orElseThrow();
            samples[s] = (double) threads * iterations * 24 * S.length() / ns;
        }
        Arrays.sort(samples);
        return samples[samples.length / 2];
    }

    public static void main(String[] args) throws Exception {
        for (String t : (args.length > 0 ? args[0] : "1,2").split(",")) {
            System.out.printf(java.util.Locale.ROOT, "peak threads=%s gflops=%.1f species=%d-bit%n", t, measure(Integer.parseInt(t)), S.vectorBitSize());
        }
    }
}
