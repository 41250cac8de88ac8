package dev.mlm4j.kernels;

import dev.mlm4j.tensor.FloatTensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * {@link Gemm#linear} at BERT shapes, {@code n × in × out}: y (n, out) = x (n, in) · Wᵀ + b.
 * The score is calls per second; GFLOP/s = score · 2·n·in·out / 1e9 ({@link GemmReport} prints that).
 * {@code threads} = 1 runs the whole GEMM as one task on the benchmark thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 7, time = 1)
public class GemmBenchmark {

    /** n × in × out. */
    @Param({"128x768x768", "128x768x3072", "128x3072x768", "16x384x384", "4096x384x1536"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    @Param({"BIAS"})
    public Epilogue epilogue;

    FloatTensor x, bias, residual, out;
    PackedMatrix w;

    @Setup
    public void setup() {
        // steady state: not a process's first calls on the calling thread alone (Parallel's start-up policy on two
        // cores), which a large shape's few warm-up calls left in force: two threads measured as one
        Parallel.warmupCalls(0);
        int[] s = parse(shape);
        Random r = new Random(42);
        x = random(r, s[0], s[1]);
        w = PackedMatrix.pack(random(r, s[2], s[1]));
        bias = random(r, s[2]);
        residual = epilogue == Epilogue.BIAS_RESIDUAL ? random(r, s[0], s[2]) : null;
        out = FloatTensor.zeros(s[0], s[2]);
    }

    @Benchmark
    public FloatTensor linear() {
        Gemm.linear(x, w, epilogue == Epilogue.NONE ? null : bias, epilogue, residual, out, threads);
        return out;
    }

    static int[] parse(String shape) {
        String[] p = shape.split("x");
        return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2])};
    }

    static double flops(String shape) {
        int[] s = parse(shape);
        return 2.0 * s[0] * s[1] * s[2];
    }

    static FloatTensor random(Random r, int... shape) {
        FloatTensor t = FloatTensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        return t;
    }
}
