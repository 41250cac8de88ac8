package dev.mlm4j.spark;

import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.Arrays;

/**
 * What the mlm4j stages share: a text column in, one result column and one reason column out, a model named by
 * catalogue name or folder, and rows processed per partition by a serialisable function that carries only settings
 * (the model itself is loaded on the executor, {@link ExecutorModels}).
 *
 * <p>A row whose text cannot be processed — null, empty, too long, no [MASK] for fill-mask — gets a null result and
 * says why in the reason column; every other row's reason is null. The job goes on.
 */
public abstract class Mlm4jTransformer<T extends Mlm4jTransformer<T>> extends Transformer implements DefaultParamsWritable {

    private final String uid;
    private final Param<String> inputCol;
    private final Param<String> outputCol;
    private final Param<String> reasonCol;
    private final Param<String> model;

    protected Mlm4jTransformer(String uid, String defaultOutput, String defaultModel) {
        this.uid = uid;
        this.inputCol = new Param<>(this, "inputCol", "the text column (string)");
        this.outputCol = new Param<>(this, "outputCol", "the result column");
        this.reasonCol = new Param<>(this, "reasonCol", "the column saying why a row's result is null (null when it is not)");
        this.model = new Param<>(this, "model", "a catalogued model name (each executor fetches it) or a model folder every executor can read");
        setDefault(inputCol, "text");
        setDefault(outputCol, defaultOutput);
        setDefault(reasonCol, "reason");
        setDefault(model, defaultModel);
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> inputCol() {
        return inputCol;
    }

    public Param<String> outputCol() {
        return outputCol;
    }

    public Param<String> reasonCol() {
        return reasonCol;
    }

    public Param<String> model() {
        return model;
    }

    @SuppressWarnings("unchecked")
    protected final T self() {
        return (T) this;
    }

    public T setInputCol(String column) {
        set(inputCol, column);
        return self();
    }

    public T setOutputCol(String column) {
        set(outputCol, column);
        return self();
    }

    public T setReasonCol(String column) {
        set(reasonCol, column);
        return self();
    }

    /** A catalogued name (e.g. {@code all-MiniLM-L6-v2}) or a model folder present at the same path on every executor. */
    public T setModel(String nameOrFolder) {
        set(model, nameOrFolder);
        return self();
    }

    public String getInputCol() {
        return getOrDefault(inputCol);
    }

    public String getOutputCol() {
        return getOrDefault(outputCol);
    }

    public String getReasonCol() {
        return getOrDefault(reasonCol);
    }

    public String getModel() {
        return getOrDefault(model);
    }

    /** The stage's name in messages. */
    protected String stageName() {
        return getClass().getSimpleName();
    }

    /** The type of the result column. */
    protected abstract org.apache.spark.sql.types.DataType resultType();

    /** Checks the model on the driver (before any task runs) and returns what executors load: a name or an absolute folder. */
    protected String checkModel() {
        return ModelCheck.onDriver(getModel(), stageName()).model();
    }

    /**
     * The function each partition runs, built on the driver: it may carry settings and column indices, never a model.
     * {@code model} is what {@link #checkModel} returned; {@code input} is the input's schema.
     */
    protected abstract MapPartitionsFunction<Row, Row> partitionFunction(String model, StructType input);

    /** Checks the columns and the model on the driver (nothing runs until an action), then maps each partition. */
    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        String m = checkModel();
        return dataset.toDF().mapPartitions(partitionFunction(m, dataset.schema()), Encoders.row(out));
    }

    @Override
    public StructType transformSchema(StructType schema) {
        requireText(schema, getInputCol(), stageName());
        String out = getOutputCol(), reason = getReasonCol();
        if (out.equals(reason)) throw new IllegalArgumentException(stageName() + ": outputCol and reasonCol are both '" + out + "'");
        requireAbsent(schema, out, "outputCol");
        requireAbsent(schema, reason, "reasonCol");
        return schema.add(new StructField(out, resultType(), true, org.apache.spark.sql.types.Metadata.empty()))
                .add(new StructField(reason, DataTypes.StringType, true, org.apache.spark.sql.types.Metadata.empty()));
    }

    static void requireText(StructType schema, String column, String stage) {
        if (!Arrays.asList(schema.fieldNames()).contains(column)) {
            throw new IllegalArgumentException(stage + ": no column '" + column + "' in the input (columns: "
                    + String.join(", ", schema.fieldNames()) + "); set inputCol");
        }
        if (!schema.apply(column).dataType().equals(DataTypes.StringType)) {
            throw new IllegalArgumentException(stage + ": column '" + column + "' is " + schema.apply(column).dataType().simpleString()
                    + ", not string");
        }
    }

    private void requireAbsent(StructType schema, String column, String param) {
        if (Arrays.asList(schema.fieldNames()).contains(column)) {
            throw new IllegalArgumentException(stageName() + ": the input already has a column '" + column + "'; set " + param + " to another name");
        }
    }

    @Override
    public T copy(ParamMap extra) {
        return defaultCopy(extra);
    }
}
