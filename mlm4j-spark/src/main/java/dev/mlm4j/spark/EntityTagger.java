package dev.mlm4j.spark;

import dev.mlm4j.config.Precision;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.pipelines.TokenClassification;
import dev.mlm4j.pipelines.TokenClassification.Aggregation;
import dev.mlm4j.pipelines.TokenClassification.Entity;
import dev.mlm4j.pipelines.TokenClassification.Options;
import dev.mlm4j.util.ProgressListener;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Token classification (NER, POS tagging) over a text column with Hugging Face's {@code token-classification}
 * semantics ({@link TokenClassification}) on a {@code *ForTokenClassification} model folder. The result is an array
 * of entities with Hugging Face's keys, in its order:
 * <pre>
 *   aggregationStrategy none (HF's default): struct&lt;entity:string, score:double, index:int, word:string, start:int, end:int&gt;
 *   simple, first, average, max:             struct&lt;entity_group:string, score:double, word:string, start:int, end:int&gt;
 * </pre>
 * {@code start}/{@code end} are character offsets into the text as Python (and Spark SQL's {@code substring}) count
 * them: code points. {@code ignoreLabels} (default {@code ["O"]}) leaves labels or groups out; a text longer than
 * the model's maximum is truncated (as HF) unless {@code stride} > 0, which tags it in overlapping windows (it needs an
 * aggregation other than none). Null and empty texts get a null result and a reason.
 */
public final class EntityTagger extends Mlm4jTransformer<EntityTagger> {

    /** An entity of aggregation none: one per token. */
    public static final StructType TOKEN_ENTITY = new StructType()
            .add("entity", DataTypes.StringType, false)
            .add("score", DataTypes.DoubleType, false)
            .add("index", DataTypes.IntegerType, false)
            .add("word", DataTypes.StringType, false)
            .add("start", DataTypes.IntegerType, false)
            .add("end", DataTypes.IntegerType, false);

    /** An entity of every other aggregation: a group of tokens. */
    public static final StructType ENTITY_GROUP = new StructType()
            .add("entity_group", DataTypes.StringType, false)
            .add("score", DataTypes.DoubleType, false)
            .add("word", DataTypes.StringType, false)
            .add("start", DataTypes.IntegerType, false)
            .add("end", DataTypes.IntegerType, false);

    static final ModelCheck.Head HEAD = new ModelCheck.Head("BertForTokenClassification", "token-classification",
            "token classifier", "cannot tag entities", m -> Models.tokenClassification(m, ProgressListener.NONE, Precision.fromProperty()));

    private final Param<String> aggregationStrategy;
    private final StringArrayParam ignoreLabels;
    private final IntParam stride;

    public EntityTagger() {
        this(Identifiable.randomUID("mlm4jEntityTagger"));
    }

    public EntityTagger(String uid) {
        super(uid, "entities", "");
        aggregationStrategy = new Param<>(this, "aggregationStrategy", "Hugging Face's aggregation_strategy: none (one entity per token),"
                + " simple, first, average or max", ParamValidators.inArray(new String[] {"none", "simple", "first", "average", "max"}));
        ignoreLabels = new StringArrayParam(this, "ignoreLabels", "labels (and entity groups) left out of the result; empty: keep all");
        stride = new IntParam(this, "stride", "not set: truncate texts longer than the model's maximum; set: tag the whole text in"
                + " windows overlapping by this many tokens (0: side by side), as Hugging Face's stride", ParamValidators.gtEq(0));
        setDefault(aggregationStrategy, "none");
        setDefault(ignoreLabels, new String[] {"O"});
    }

    public Param<String> aggregationStrategy() { return aggregationStrategy; }
    public StringArrayParam ignoreLabels() { return ignoreLabels; }
    public IntParam stride() { return stride; }

    public String getAggregationStrategy() { return getOrDefault(aggregationStrategy); }
    public String[] getIgnoreLabels() { return getOrDefault(ignoreLabels); }
    /** The stride, or null when not set (long texts truncated). */
    public Integer getStride() { return isSet(stride) ? (Integer) getOrDefault(stride) : null; }

    public EntityTagger setAggregationStrategy(String strategy) { set(aggregationStrategy, strategy); return this; }
    public EntityTagger setIgnoreLabels(String... labels) { set(ignoreLabels, labels); return this; }
    public EntityTagger setStride(int tokens) { set(stride, tokens); return this; }

    @Override
    protected DataType resultType() {
        return DataTypes.createArrayType(getAggregationStrategy().equals("none") ? TOKEN_ENTITY : ENTITY_GROUP, false);
    }

    /**
     * Checks the model on the driver, and a stride against its window (read from the folder's files, nothing loaded):
     * a stride every text would refuse fails here, in one line, not in every task.
     */
    @Override
    protected String checkModel() {
        ModelCheck.Found f = ModelCheck.withHead(getModel(), stageName(), HEAD);
        Integer stride = getStride();
        if (stride != null && f.folder().isPresent()) {
            try {
                TokenClassification.checkStride(stride, TokenClassification.maxLength(f.folder().get()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(stageName() + ": " + Errors.oneLine(e), e);
            }
        }
        return f.model();
    }

    /** The options every executor uses; built on the driver too, so bad settings (stride without aggregation) fail before any task. */
    Options options() {
        for (String l : getIgnoreLabels()) {
            if (l == null) throw new IllegalArgumentException(stageName() + ": a null label in ignoreLabels");
        }
        try {
            return new Options(Aggregation.of(getAggregationStrategy()), List.of(getIgnoreLabels()), getStride());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(stageName() + ": " + e.getMessage(), e);
        }
    }

    @Override
    protected MapPartitionsFunction<Row, Row> partitionFunction(String model, StructType input) {
        Options o = options();
        return new Run(model, input.fieldIndex(getInputCol()), o.aggregation().hfName(), o.ignoreLabels().toArray(String[]::new), o.stride());
    }

    public static MLReader<EntityTagger> read() {
        return new DefaultParamsReader<>();
    }

    public static EntityTagger load(String path) {
        return read().load(path);
    }

    /** The array of entity structs for a text: Hugging Face's objects ({@link Entity#toMap}) as rows, keys in order. */
    static scala.collection.immutable.Seq<Row> rows(String text, List<Entity> entities) {
        List<Row> out = new ArrayList<>(entities.size());
        for (Entity e : entities) out.add(RowFactory.create(e.toMap(text).values().toArray()));
        return Batches.seq(out);
    }

    private record Run(String model, int textIndex, String aggregation, String[] ignoreLabels, Integer stride)
            implements MapPartitionsFunction<Row, Row>, Serializable {
        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            if (!rows.hasNext()) return rows;
            TokenClassification ner = ExecutorModels.tokenClassification(model);
            Options options = new Options(Aggregation.of(aggregation), List.of(ignoreLabels), stride);
            // each text is one forward pass (its windows together): batches only bound how many rows are held
            return new Batches(rows, textIndex, 16, Integer.MAX_VALUE, new Batches.Model() {
                @Override
                public Batches.Check check(String text) {
                    return Batches.Check.run(1);
                }

                @Override
                public List<Object> run(List<String> texts) {
                    List<Object> out = new ArrayList<>(texts.size());
                    List<List<Entity>> entities = ner.classify(texts, options);
                    for (int i = 0; i < texts.size(); i++) out.add(rows(texts.get(i), entities.get(i)));
                    return out;
                }
            });
        }
    }
}
