package dev.mlm4j.attention;

import dev.mlm4j.kernels.Kernels;
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
 * Attention of one head, {@code h = softmax(mask(QKᵀ/√64)) V} for n tokens × d_k = 64, on the Vector API kernels:
 * {@code tiled} is what the encoder runs when nobody asks for the probabilities ({@code FlashAttention}: online
 * softmax, no (n, n) matrix), {@code exact} the explorer's path (scores → mask → softmax → A V, the matrix kept).
 * Score: microseconds per call, one thread. {@link AttentionQuick} is the quick, JMH-free version over 12 heads.
 * <pre>java -jar mlm4j-bench/target/benchmarks.jar AttentionBenchmark</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 6, time = 1)
public class AttentionBenchmark {

    @Param({"16", "128", "512"})
    public int n;

    @Param({"tiled", "exact"})
    public String path;

    @Param({"bidirectional", "causal"})
    public String direction;

    FloatTensor q, k, v, scores, out;
    AttentionMask mask;
    final Kernels kernels = Kernels.get();

    @Setup
    public void setup() {
        Random r = new Random(42);
        q = random(r, n, 64);
        k = random(r, n, 64);
        v = random(r, n, 64);
        scores = FloatTensor.zeros(n, n);
        out = FloatTensor.zeros(n, 64);
        mask = direction.equals("causal") ? AttentionMask.CAUSAL : AttentionMask.BIDIRECTIONAL;
    }

    @Benchmark
    public FloatTensor attend() {
        if (path.equals("tiled")) ScaledDotProductAttention.attend(kernels, q, k, v, mask, out);
        else ScaledDotProductAttention.attend(kernels, q, k, v, mask, scores, out);
        return out;
    }

    static FloatTensor random(Random r, int... shape) {
        FloatTensor t = FloatTensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        return t;
    }
}
