package dev.mlm4j.spark;

import dev.mlm4j.explorer.AttentionView;
import dev.mlm4j.explorer.ExplorerModel;
import dev.mlm4j.explorer.ExplorerOptions;
import dev.mlm4j.explorer.Token;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Every document's attention as a graph, one row per edge — the seed's reading of the attention matrix A as the
 * weighted adjacency matrix of a token graph, for a whole corpus:
 * <pre>
 *   &lt;idCol&gt;     the document's id (its type as in the input)
 *   layer       int     from 0
 *   head        int     from 0; −1 for the mean over the layer's heads
 *   from        int     token index i (row of A; [CLS] is 0)
 *   to          int     token index j (column of A)
 *   from_token  string  the word pieces, for reading and filtering
 *   to_token    string
 *   weight      float   A_ij: how much token i attends to token j (each (layer, head, from) sums to 1)
 *   reason      string  null, or why the document has no edges (then one row, with nulls)
 * </pre>
 * The output replaces the input's columns (a document of n tokens gives layers × heads × n² rows unless limited by
 * {@code layers}, {@code heads} and {@code minWeight}). {@code from} and {@code to} are SQL keywords: quote them
 * ({@code `from`}) in SQL text. A document too long for the model gets a reason, not edges.
 */
public final class AttentionGraphs extends Mlm4jTransformer<AttentionGraphs> {

    private final Param<String> idCol;
    private final IntArrayParam layers;
    private final IntArrayParam heads;
    private final DoubleParam minWeight;
    private final BooleanParam causal;

    public AttentionGraphs() {
        this(Identifiable.randomUID("mlm4jAttentionGraphs"));
    }

    public AttentionGraphs(String uid) {
        super(uid, "weight", "bert-base-uncased");
        idCol = new Param<>(this, "idCol", "the document id column, copied to every edge");
        layers = new IntArrayParam(this, "layers", "layers to keep, from 0; empty: all");
        heads = new IntArrayParam(this, "heads", "heads to keep, from 0, and -1 for the mean over heads; empty: every head (no mean)");
        minWeight = new DoubleParam(this, "minWeight", "keep edges whose weight is at least this; 0 keeps all n² per head",
                ParamValidators.inRange(0, 1));
        causal = new BooleanParam(this, "causal", "run every layer with the causal mask (token i sees j ≤ i) instead of bidirectionally");
        setDefault(idCol, "id");
        setDefault(layers, new int[0]);
        setDefault(heads, new int[0]);
        setDefault(minWeight, 0.0);
        setDefault(causal, false);
    }

    public Param<String> idCol() { return idCol; }
    public IntArrayParam layers() { return layers; }
    public IntArrayParam heads() { return heads; }
    public DoubleParam minWeight() { return minWeight; }
    public BooleanParam causal() { return causal; }

    public String getIdCol() { return getOrDefault(idCol); }
    public int[] getLayers() { return getOrDefault(layers); }
    public int[] getHeads() { return getOrDefault(heads); }
    public double getMinWeight() { return (Double) getOrDefault(minWeight); }
    public boolean getCausal() { return (Boolean) getOrDefault(causal); }

    public AttentionGraphs setIdCol(String column) { set(idCol, column); return this; }
    public AttentionGraphs setLayers(int... l) { set(layers, l); return this; }
    public AttentionGraphs setHeads(int... h) { set(heads, h); return this; }
    public AttentionGraphs setMinWeight(double w) { set(minWeight, w); return this; }
    public AttentionGraphs setCausal(boolean c) { set(causal, c); return this; }

    @Override
    protected DataType resultType() {
        return DataTypes.FloatType;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        requireText(schema, getInputCol(), stageName());
        if (!Arrays.asList(schema.fieldNames()).contains(getIdCol())) {
            throw new IllegalArgumentException(stageName() + ": no id column '" + getIdCol() + "' in the input (columns: "
                    + String.join(", ", schema.fieldNames()) + "); set idCol");
        }
        for (int l : getLayers()) if (l < 0) throw new IllegalArgumentException(stageName() + ": layer " + l + " is negative; layers count from 0");
        for (int h : getHeads()) {
            if (h < AttentionView.MEAN) throw new IllegalArgumentException(stageName() + ": head " + h + " is not a head; heads count from 0, -1 is the mean");
        }
        String[] names = {getIdCol(), "layer", "head", "from", "to", "from_token", "to_token", getOutputCol(), getReasonCol()};
        if (Arrays.stream(names).distinct().count() != names.length) {
            throw new IllegalArgumentException(stageName() + ": output column names clash: " + String.join(", ", names));
        }
        StructField id = schema.apply(getIdCol());
        return new StructType()
                .add(new StructField(id.name(), id.dataType(), id.nullable(), id.metadata()))
                .add("layer", DataTypes.IntegerType, true)
                .add("head", DataTypes.IntegerType, true)
                .add("from", DataTypes.IntegerType, true)
                .add("to", DataTypes.IntegerType, true)
                .add("from_token", DataTypes.StringType, true)
                .add("to_token", DataTypes.StringType, true)
                .add(getOutputCol(), DataTypes.FloatType, true)
                .add(getReasonCol(), DataTypes.StringType, true);
    }

    @Override
    protected MapPartitionsFunction<Row, Row> partitionFunction(String model, StructType input) {
        return new Run(model, input.fieldIndex(getInputCol()), input.fieldIndex(getIdCol()), getLayers(), getHeads(), getMinWeight(), getCausal());
    }

    public static MLReader<AttentionGraphs> read() {
        return new DefaultParamsReader<>();
    }

    public static AttentionGraphs load(String path) {
        return read().load(path);
    }

    private record Run(String model, int textIndex, int idIndex, int[] layers, int[] heads, double minWeight, boolean causal)
            implements MapPartitionsFunction<Row, Row>, Serializable {
        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            if (!rows.hasNext()) return rows;
            ExplorerModel explorer = ExecutorModels.explorer(model);
            int[] ls = layers.length > 0 ? layers : java.util.stream.IntStream.range(0, explorer.layers()).toArray();
            int[] hs = heads.length > 0 ? heads : java.util.stream.IntStream.range(0, explorer.heads()).toArray();
            for (int l : ls) for (int h : hs) explorer.checkHead(l, h);   // a bad layer or head fails the job, not each row
            ExplorerOptions options = ExplorerOptions.DEFAULT.withCausal(causal);
            return new Iterator<>() {
                private final ArrayDeque<Row> ready = new ArrayDeque<>();

                @Override
                public boolean hasNext() {
                    while (ready.isEmpty() && rows.hasNext()) edges(rows.next());
                    return !ready.isEmpty();
                }

                @Override
                public Row next() {
                    if (!hasNext()) throw new NoSuchElementException();
                    return ready.poll();
                }

                private void edges(Row row) {
                    Object id = row.get(idIndex);
                    String text = row.isNullAt(textIndex) ? null : row.getString(textIndex);
                    String reason = Batches.emptyReason(text);
                    AttentionView view = null;
                    if (reason == null) {
                        try {
                            view = explorer.run(text, null, options);
                        } catch (IllegalArgumentException e) {
                            reason = Errors.oneLine(e);
                        }
                    }
                    if (view == null) {
                        ready.add(RowFactory.create(id, null, null, null, null, null, null, null, reason));
                        return;
                    }
                    List<Token> tokens = view.tokens();
                    int n = view.length();
                    for (int l : ls) {
                        for (int h : hs) {
                            double[][] a = view.attention(l, h);
                            for (int i = 0; i < n; i++) {
                                for (int j = 0; j < n; j++) {
                                    float w = (float) a[i][j];
                                    if (w >= minWeight) {
                                        ready.add(RowFactory.create(id, l, h, i, j, tokens.get(i).text(), tokens.get(j).text(), w, null));
                                    }
                                }
                            }
                        }
                    }
                }
            };
        }
    }
}
