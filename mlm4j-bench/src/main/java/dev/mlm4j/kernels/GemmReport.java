package dev.mlm4j.kernels;

import dev.mlm4j.tensor.FloatTensor;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Prints GFLOP/s per shape and thread count (median and min–max over JMH iterations), then the time
 * to pack BERT-base's linear weights. Quick by default (2 warm-up + 5 measured 0.5 s iterations).
 *
 * <pre>
 *   java -cp mlm4j-bench/target/benchmarks.jar dev.mlm4j.kernels.GemmReport [shape,...] [threads,...] [-- jvm args for the fork]
 *   e.g. GemmReport 128x768x3072 1,2 -- -Dmlm4j.gemm.kc=256
 * </pre>
 */
public final class GemmReport {
    public static void main(String[] args) throws Exception {
        List<String> own = new ArrayList<>(), fork = new ArrayList<>();
        boolean forkArgs = false;
        for (String a : args) {
            if (a.equals("--")) forkArgs = true;
            else (forkArgs ? fork : own).add(a);
        }
        String shapes = own.size() > 0 ? own.get(0) : "128x768x768,128x768x3072,128x3072x768,16x384x384,4096x384x1536";
        String threads = own.size() > 1 ? own.get(1) : "1,2";
        int measure = Integer.getInteger("iterations", 5);
        ChainedOptionsBuilder opt = new OptionsBuilder()
                .include(GemmBenchmark.class.getName() + ".linear")
                .param("shape", shapes.split(","))
                .param("threads", threads.split(","))
                .param("epilogue", System.getProperty("epilogue", "BIAS"))
                .warmupIterations(2).warmupTime(TimeValue.milliseconds(500))
                .measurementIterations(measure).measurementTime(TimeValue.milliseconds(500))
                .forks(1)
                .verbosity(VerboseMode.SILENT);
        if (!fork.isEmpty()) opt.jvmArgsAppend(fork.toArray(String[]::new));
        System.out.println("# " + Gemm.describe() + " (this JVM; the fork's flags: " + fork + ")");
        System.out.printf("%-16s %7s %9s %9s %9s%n", "n×in×out", "threads", "median", "min", "max");
        for (RunResult rr : new Runner(opt.build()).run()) {
            String shape = rr.getParams().getParam("shape");
            double f = GemmBenchmark.flops(shape) / 1e9;
            BenchmarkResult br = rr.getAggregatedResult();
            double[] g = br.getIterationResults().stream().mapToDouble(it -> it.getPrimaryResult().getScore()).map(s -> s * f).sorted().toArray();
            System.out.printf("%-16s %7s %9.1f %9.1f %9.1f   GFLOP/s%n", shape, rr.getParams().getParam("threads"), g[g.length / 2], g[0], g[g.length - 1]);
        }
        if (!Boolean.getBoolean("skipPacking")) packing();
    }

    /** Packs the 72 linear weights of BERT-base (12 × (4 · 768² + 2 · 768 · 3072) = 85M floats), 5 times. */
    static void packing() {
        Random r = new Random(1);
        List<FloatTensor> ws = new ArrayList<>();
        for (int layer = 0; layer < 12; layer++) {
            for (int q = 0; q < 4; q++) ws.add(GemmBenchmark.random(r, 768, 768));
            ws.add(GemmBenchmark.random(r, 3072, 768));
            ws.add(GemmBenchmark.random(r, 768, 3072));
        }
        long floats = ws.stream().mapToLong(FloatTensor::size).sum();
        double[] ms = new double[5];
        for (int rep = 0; rep < ms.length; rep++) {
            long t0 = System.nanoTime();
            PackedMatrix[] packed = new PackedMatrix[ws.size()];
            for (int i = 0; i < packed.length; i++) packed[i] = PackedMatrix.pack(ws.get(i));
            ms[rep] = (System.nanoTime() - t0) / 1e6;
            if (packed[packed.length - 1].out() != 768) throw new AssertionError();
        }
        double first = ms[0];
        Arrays.sort(ms);
        System.out.printf("packing BERT-base linear weights (%.1fM floats, %d threads): first %.0f ms, median %.0f ms (min %.0f, max %.0f)%n",
                floats / 1e6, Parallel.threads(), first, ms[ms.length / 2], ms[0], ms[ms.length - 1]);
    }
}
