package dev.mlm4j.spark;

import dev.mlm4j.pipelines.FeatureExtraction;
import dev.mlm4j.pipelines.Pooling;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Sentence embeddings of a text column: one vector per text, {@code array<float>} (the default) or an ML
 * {@code Vector} ({@code outputType = "vector"}, for Spark ML's own stages), the same vectors as
 * {@link FeatureExtraction} gives in one JVM. Pooling ({@code mean} or {@code cls}) and L2 normalisation default to
 * the model's own (all-MiniLM-L6-v2: mean, normalised; bge-small-en-v1.5: cls, normalised; a model without an
 * embeddings card: mean, not normalised).
 *
 * <p>Each partition runs in padding-free batches of at most {@code batchSize} texts and {@code batchTokens} tokens:
 * sequences are packed end to end, so a text's vector does not depend on its partition, batch or neighbours.
 * A text longer than the model's working length (e.g. 256 tokens for all-MiniLM-L6-v2, sentence-transformers'
 * {@code max_seq_length}; else its position table), or than {@code maxLength} when set, gets a null vector and a reason,
 * unless {@code truncate} cuts it there, as {@link FeatureExtraction} does.
 *
 * <p>A model trained with a marker before each kind of text (e5-small-v2) gets {@code "query: "} before every text
 * unless {@code input} is {@code "passage"} (documents to be retrieved: {@code "passage: "}), as {@code ./mlm4j embed}
 * and its {@code --passage}; a text that already begins with the marker keeps it once. Other models ignore it.
 */
public final class Embedder extends Mlm4jTransformer<Embedder> {

    private final Param<String> pooling;
    private final BooleanParam normalize;
    private final BooleanParam truncate;
    private final IntParam maxLength;
    private final IntParam batchSize;
    private final IntParam batchTokens;
    private final Param<String> outputType;
    private final Param<String> input;

    public Embedder() {
        this(Identifiable.randomUID("mlm4jEmbedder"));
    }

    public Embedder(String uid) {
        super(uid, "embedding", "all-MiniLM-L6-v2");
        pooling = new Param<>(this, "pooling", "mean or cls; unset: the model's own", ParamValidators.inArray(new String[] {"mean", "cls"}));
        normalize = new BooleanParam(this, "normalize", "L2-normalise the vectors; unset: the model's own");
        truncate = new BooleanParam(this, "truncate", "cut texts that are too long instead of giving a null vector");
        maxLength = new IntParam(this, "maxLength", "longest text in tokens ([CLS] and [SEP] included) and where truncate cuts; 0: the model's",
                ParamValidators.gtEq(0));
        batchSize = new IntParam(this, "batchSize", "texts per forward pass, at most", ParamValidators.gtEq(1));
        batchTokens = new IntParam(this, "batchTokens", "tokens per forward pass, at most (a longer text runs alone)", ParamValidators.gtEq(1));
        outputType = new Param<>(this, "outputType", "array (array<float>) or vector (ML Vector of doubles)",
                ParamValidators.inArray(new String[] {"array", "vector"}));
        input = new Param<>(this, "input", "query or passage: the marker a model with prefixes (e5-small-v2) puts before each text",
                ParamValidators.inArray(new String[] {"query", "passage"}));
        setDefault(input, "query");
        setDefault(truncate, false);
        setDefault(maxLength, 0);
        setDefault(batchSize, 64);
        setDefault(batchTokens, FeatureExtraction.DEFAULT_BATCH_TOKENS);
        setDefault(outputType, "array");
    }

    public Param<String> pooling() { return pooling; }
    public BooleanParam normalize() { return normalize; }
    public BooleanParam truncate() { return truncate; }
    public IntParam maxLength() { return maxLength; }
    public IntParam batchSize() { return batchSize; }
    public IntParam batchTokens() { return batchTokens; }
    public Param<String> outputType() { return outputType; }
    public Param<String> input() { return input; }

    /** The pooling set, or null for the model's own. */
    public String getPooling() { return get(pooling).isDefined() ? get(pooling).get() : null; }
    /** The normalisation set, or null for the model's own. */
    public Boolean getNormalize() { return get(normalize).isDefined() ? (Boolean) get(normalize).get() : null; }
    public boolean getTruncate() { return (Boolean) getOrDefault(truncate); }
    public int getMaxLength() { return (Integer) getOrDefault(maxLength); }
    public int getBatchSize() { return (Integer) getOrDefault(batchSize); }
    public int getBatchTokens() { return (Integer) getOrDefault(batchTokens); }
    public String getOutputType() { return getOrDefault(outputType); }
    public String getInput() { return getOrDefault(input); }

    public Embedder setPooling(String meanOrCls) { set(pooling, meanOrCls); return this; }
    public Embedder setNormalize(boolean n) { set(normalize, n); return this; }
    public Embedder setTruncate(boolean t) { set(truncate, t); return this; }
    public Embedder setMaxLength(int tokens) { set(maxLength, tokens); return this; }
    public Embedder setBatchSize(int texts) { set(batchSize, texts); return this; }
    public Embedder setBatchTokens(int tokens) { set(batchTokens, tokens); return this; }
    public Embedder setOutputType(String arrayOrVector) { set(outputType, arrayOrVector); return this; }
    public Embedder setInput(String queryOrPassage) { set(input, queryOrPassage); return this; }

    @Override
    protected DataType resultType() {
        return getOutputType().equals("vector") ? SQLDataTypes.VectorType() : DataTypes.createArrayType(DataTypes.FloatType, false);
    }

    @Override
    protected MapPartitionsFunction<Row, Row> partitionFunction(String model, StructType input) {
        int textIndex = input.fieldIndex(getInputCol());
        int m = getMaxLength();
        if (m == 1) throw new IllegalArgumentException(stageName() + ": maxLength must be 0 (the model's) or at least 2 ([CLS] and [SEP])");
        return new Run(model, textIndex, getBatchSize(), getBatchTokens(), getPooling(), getNormalize(), getTruncate(), m,
                getOutputType().equals("vector"), getInput().equals("passage") ? FeatureExtraction.Input.PASSAGE : FeatureExtraction.Input.QUERY);
    }

    public static MLReader<Embedder> read() {
        return new DefaultParamsReader<>();
    }

    public static Embedder load(String path) {
        return read().load(path);
    }

    /** Why {@code text} cannot be embedded with these options, or null, and its length in tokens (with the model's marker, if it has one). */
    static Batches.Check check(FeatureExtraction fe, String text, FeatureExtraction.Options o) {
        int limit = fe.limit(o);
        int n = fe.tokenizer().encode(fe.prefixes().apply(text, o.input()), Integer.MAX_VALUE, false).length();   // E5's marker counts
        if (n <= limit) return Batches.Check.run(n);
        if (o.truncate()) return Batches.Check.run(limit);
        String why = o.maxLength() > 0 ? "text is " + n + " tokens, over maxLength of " + limit : fe.tooLong("text", n, o);  // the stage's param by name
        return Batches.Check.skip(why + "; set truncate to keep its first " + limit);
    }

    private record Run(String model, int textIndex, int batchSize, int batchTokens, String pooling, Boolean normalize,
                       boolean truncate, int maxLength, boolean vector, FeatureExtraction.Input input)
            implements MapPartitionsFunction<Row, Row>, Serializable {
        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            if (!rows.hasNext()) return rows;
            FeatureExtraction fe = ExecutorModels.embeddings(model);
            FeatureExtraction.Options options = FeatureExtraction.Options.DEFAULT
                    .withPooling(pooling == null ? null : Pooling.parse(pooling)).withNormalize(normalize)
                    .withTruncate(truncate).withMaxLength(maxLength).withInput(input)
                    .withBatchTokens(Integer.MAX_VALUE); // our batches run whole
            return new Batches(rows, textIndex, batchSize, batchTokens, new Batches.Model() {
                @Override
                public Batches.Check check(String text) {
                    return Embedder.check(fe, text, options);
                }

                @Override
                public List<Object> run(List<String> texts) {
                    List<Object> out = new ArrayList<>(texts.size());
                    for (FeatureExtraction.Embedding e : fe.extract(texts, options)) out.add(vector ? Vectors.dense(toDouble(e.vector())) : e.vector());
                    return out;
                }
            });
        }
    }

    static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }
}
