package dev.mlm4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;
import java.util.concurrent.CyclicBarrier;

/**
 * This machine's FMA peak as the Vector API reaches it: each thread runs twelve independent chains of
 * {@code a = a · x + y} on the preferred species (enough to cover the FMA latency on two ports, and twelve
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

    /** 24 · lanes FLOPs per iteration. */
    static float chains(long iterations) {
        FloatVector a0 = FloatVector.broadcast(S, 1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        FloatVector x = FloatVector.broadcast(S, 0.999f), y = FloatVector.broadcast(S, 0.001f);
        for (long i = 0; i < iterations; i++) {
            a0 = a0.fma(x, y);
            a1 = a1.fma(x, y);
            a2 = a2.fma(x, y);
            a3 = a3.fma(x, y);
            a4 = a4.fma(x, y);
            a5 = a5.fma(x, y);
            a6 = a6.fma(x, y);
            a7 = a7.fma(x, y);
            a8 = a8.fma(x, y);
            a9 = a9.fma(x, y);
            a10 = a10.fma(x, y);
            a11 = a11.fma(x, y);
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
