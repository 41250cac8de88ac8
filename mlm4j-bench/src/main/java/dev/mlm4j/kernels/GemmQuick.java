package dev.mlm4j.kernels;

import dev.mlm4j.tensor.FloatTensor;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Random;

/**
 * A few seconds per shape without JMH, for tuning runs on a shared machine: wall-clock GFLOP/s
 * (median, min–max over samples of ~50 ms) and, with one thread, GFLOP/s per second of the
 * thread's own CPU time, which time-slicing by other processes does not dilute. Prints the same
 * line format as bench/openblas/sgemm_bench.c, so scripts/bench-gemm can interleave and compare them.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp benchmarks.jar dev.mlm4j.kernels.GemmQuick [shape,...] [threads,...] [samples]</pre>
 */
public final class GemmQuick {
    public static void main(String[] args) {
        // Steady-state rates: Parallel runs a process's first 64 calls on the calling thread on machines of two cores
        // (for a cold CLI process); a 4096-row shape's warm-up is a handful of calls, so its two-thread samples were
        // measured on one thread (2026-12-06: 156 instead of 302 GFLOP/s at 4096 × 768 × 3072).
        Parallel.warmupCalls(0);
        String[] shapes = (args.length > 0 ? args[0] : "128x768x768,128x768x3072,128x3072x768,16x384x384,4096x384x1536").split(",");
        String[] threads = (args.length > 1 ? args[1] : "1,2").split(",");
        int samples = args.length > 2 ? Integer.parseInt(args[2]) : 15;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        System.out.println("# " + Gemm.describe());
        for (String shape : shapes) {
            int[] s = GemmBenchmark.parse(shape);
            Random r = new Random(42);
            FloatTensor x = GemmBenchmark.random(r, s[0], s[1]), bias = GemmBenchmark.random(r, s[2]), out = FloatTensor.zeros(s[0], s[2]);
            PackedMatrix w = PackedMatrix.pack(GemmBenchmark.random(r, s[2], s[1]));
            double flops = GemmBenchmark.flops(shape);
            int calls = (int) Math.max(1, 5e9 / 100 / flops);   // ~50 ms at 100 GFLOP/s
            for (String tt : threads) {
                int t = Integer.parseInt(tt);
                // warm-up: at least half a second (ten calls of a large shape left the first shape's two-thread run
                // half compiled: 128 × 768 × 768 read 145 GFLOP/s against 290 warmed)
                long warm = System.nanoTime() + 500_000_000L;
                for (int i = 0; i < calls * 10 || System.nanoTime() < warm; i++) Gemm.linear(x, w, bias, Epilogue.BIAS, null, out, t);
                double[] wall = new double[samples], cpu = new double[samples];
                for (int k = 0; k < samples; k++) {
                    long c0 = mx.getCurrentThreadCpuTime(), t0 = System.nanoTime();
                    for (int i = 0; i < calls; i++) Gemm.linear(x, w, bias, Epilogue.BIAS, null, out, t);
                    long t1 = System.nanoTime(), c1 = mx.getCurrentThreadCpuTime();
                    wall[k] = flops * calls / (t1 - t0);
                    cpu[k] = flops * calls / (c1 - c0);
                }
                Arrays.sort(wall);
                Arrays.sort(cpu);
                System.out.printf("mlm4j %s threads=%s median=%.1f min=%.1f max=%.1f%s%n", shape, tt,
                        wall[samples / 2], wall[0], wall[samples - 1], t == 1 ? String.format(" cpu-time=%.1f", cpu[samples / 2]) : "");
            }
        }
    }
}
