package dev.mlm4j.encoder;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.model.Checkpoint;
import dev.mlm4j.weights.Weights;
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
 * One encoder layer (self-attention → add &amp; norm → GELU feed-forward → add &amp; norm) of a real checkpoint, layer 0
 * of all-MiniLM-L6-v2 (hidden 384, 12 heads, FFN 1536) or bert-base-uncased (768, 12, 3072), on a packed batch of
 * {@code shape} = sequences × tokens, bidirectional, no attention probabilities asked for (the tiled path). The
 * input is a fixed random hidden state copied in before each call (the layer overwrites it). Score: microseconds
 * per call. Threads are the JVM's {@code -Dmlm4j.threads} (default all cores):
 * <pre>java -jar mlm4j-bench/target/benchmarks.jar EncoderLayerBenchmark -jvmArgsAppend "--add-modules jdk.incubator.vector -Dmlm4j.threads=1"</pre>
 * (a {@code -jvmArgsAppend} on the command line replaces the one below, so it must name the module again).
 * The models come from the hub cache (fetched on first use).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 6, time = 1)
public class EncoderLayerBenchmark {

    @Param({"all-MiniLM-L6-v2", "bert-base-uncased"})
    public String model;

    /** sequences × tokens per sequence. */
    @Param({"1x16", "1x128", "32x128"})
    public String shape;

    BertLayer layer;
    LayerState state;
    Batch batch;
    FloatTensor input, x;
    final AttentionMask mask = AttentionMask.BIDIRECTIONAL;

    @Setup
    public void setup() {
        String[] p = shape.split("x");
        int sequences = Integer.parseInt(p[0]), tokens = Integer.parseInt(p[1]);
        BertConfig config;
        try (Checkpoint c = Checkpoint.open(Models.resolve(model, null))) {
            config = (BertConfig) c.config();
            layer = new BertLayer(new Weights(c.tensors()).prefix("bert").prefix("encoder").prefix("layer", 0), config, Precision.fromProperty());
        }
        int[][] ids = new int[sequences][tokens];
        batch = Batch.of(ids, null);
        int t = batch.tokens();
        state = new LayerState(t, config.hiddenSize(), config.intermediateSize());
        input = FloatTensor.zeros(t, config.hiddenSize());
        Random r = new Random(42);
        float[] d = input.data();
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        x = FloatTensor.zeros(t, config.hiddenSize());
    }

    @Benchmark
    public FloatTensor forward() {
        System.arraycopy(input.data(), 0, x.data(), 0, input.size());
        layer.forward(Kernels.get(), x, batch, mask, state, ForwardCapture.NONE);
        return x;
    }
}
