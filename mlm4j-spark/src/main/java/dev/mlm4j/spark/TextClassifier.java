package dev.mlm4j.spark;

import dev.mlm4j.config.Precision;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.pipelines.TextClassification;
import dev.mlm4j.pipelines.TextClassification.Input;
import dev.mlm4j.pipelines.TextClassification.Label;
import dev.mlm4j.pipelines.TextClassification.Options;
import dev.mlm4j.tokens.Tokenizer;
import dev.mlm4j.util.ProgressListener;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
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
 * Text classification over a text column — or a text and a pair column ({@code textPairCol}, e.g. NLI premise and
 * hypothesis) — with Hugging Face's {@code text-classification} semantics ({@link TextClassification}) on a
 * {@code *ForSequenceClassification} model folder:
 * <ul>
 *   <li>{@code topK} unset (HF's default): the best label, a {@code struct<label:string, score:double>};</li>
 *   <li>{@code topK} k ≥ 1: the k best, {@code 0}: all labels ({@code top_k=None}) — an
 *       {@code array<struct<label:string, score:double>>}, best first;</li>
 *   <li>{@code functionToApply} softmax, sigmoid or none; unset: the model's (none for regression, sigmoid for
 *       multi-label or one label, else softmax).</li>
 * </ul>
 * Texts are not truncated (as HF): a text (with its pair) over the model's maximum gets a null result and a reason,
 * as do null and empty texts and pairs.
 */
public final class TextClassifier extends Mlm4jTransformer<TextClassifier> {

    public static final StructType LABEL = new StructType()
            .add("label", DataTypes.StringType, false)
            .add("score", DataTypes.DoubleType, false);

    static final ModelCheck.Head HEAD = new ModelCheck.Head("BertForSequenceClassification", "text-classification",
            "sequence classifier", "cannot classify texts", m -> Models.textClassification(m, ProgressListener.NONE, Precision.fromProperty()));

    private final Param<String> textPairCol;
    private final IntParam topK;
    private final Param<String> functionToApply;
    private final IntParam batchSize;
    private final IntParam batchTokens;

    public TextClassifier() {
        this(Identifiable.randomUID("mlm4jTextClassifier"));
    }

    public TextClassifier(String uid) {
        super(uid, "classification", "");
        textPairCol = new Param<>(this, "textPairCol", "the column of each text's pair (text_pair, a string); unset: single texts");
        topK = new IntParam(this, "topK", "unset: the best label (a struct); k: the k best labels, 0: all labels (an array, best first)",
                ParamValidators.gtEq(0));
        functionToApply = new Param<>(this, "functionToApply", "softmax, sigmoid or none; unset: the model's (from problem_type and its labels)",
                ParamValidators.inArray(new String[] {"softmax", "sigmoid", "none"}));
        batchSize = new IntParam(this, "batchSize", "texts per forward pass, at most", ParamValidators.gtEq(1));
        batchTokens = new IntParam(this, "batchTokens", "tokens per forward pass, at most (a longer text runs alone)", ParamValidators.gtEq(1));
        setDefault(batchSize, 32);
        setDefault(batchTokens, 4096);
    }

    public Param<String> textPairCol() { return textPairCol; }
    public IntParam topK() { return topK; }
    public Param<String> functionToApply() { return functionToApply; }
    public IntParam batchSize() { return batchSize; }
    public IntParam batchTokens() { return batchTokens; }

    /** The pair column, or null for single texts. */
    public String getTextPairCol() { return isSet(textPairCol) ? getOrDefault(textPairCol) : null; }
    /** topK set, or null: the best label alone. */
    public Integer getTopK() { return isSet(topK) ? (Integer) getOrDefault(topK) : null; }
    /** The function set, or null for the model's own. */
    public String getFunctionToApply() { return isSet(functionToApply) ? getOrDefault(functionToApply) : null; }
    public int getBatchSize() { return (Integer) getOrDefault(batchSize); }
    public int getBatchTokens() { return (Integer) getOrDefault(batchTokens); }

    public TextClassifier setTextPairCol(String column) { set(textPairCol, column); return this; }
    /** The k best labels as an array; 0 for all of them. */
    public TextClassifier setTopK(int k) { set(topK, k); return this; }
    public TextClassifier setFunctionToApply(String softmaxSigmoidOrNone) { set(functionToApply, softmaxSigmoidOrNone); return this; }
    public TextClassifier setBatchSize(int texts) { set(batchSize, texts); return this; }
    public TextClassifier setBatchTokens(int tokens) { set(batchTokens, tokens); return this; }

    @Override
    protected DataType resultType() {
        return isSet(topK) ? DataTypes.createArrayType(LABEL, false) : LABEL;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        String pair = getTextPairCol();
        if (pair != null) {
            requireText(schema, pair, stageName() + " (textPairCol)");
            if (pair.equals(getInputCol())) throw new IllegalArgumentException(stageName() + ": inputCol and textPairCol are both '" + pair + "'");
        }
        return super.transformSchema(schema);
    }

    @Override
    protected String checkModel() {
        return ModelCheck.withHead(getModel(), stageName(), HEAD).model();
    }

    /** The options every executor uses. */
    Options options() {
        Options o = Options.DEFAULT;
        Integer k = getTopK();
        if (k != null) o = k == 0 ? o.withAllLabels() : o.withTopK(k);
        String f = getFunctionToApply();
        return f == null ? o : o.withFunction(TextClassification.Function.of(f));
    }

    @Override
    protected MapPartitionsFunction<Row, Row> partitionFunction(String model, StructType input) {
        String pair = getTextPairCol();
        Options o = options();
        return new Run(model, input.fieldIndex(getInputCol()), pair == null ? -1 : input.fieldIndex(pair), getBatchSize(), getBatchTokens(),
                o.legacy(), o.topK(), o.function() == null ? null : o.function().huggingFaceName());
    }

    public static MLReader<TextClassifier> read() {
        return new DefaultParamsReader<>();
    }

    public static TextClassifier load(String path) {
        return read().load(path);
    }

    static Row row(Label l) {
        return RowFactory.create(l.label(), l.score());
    }

    private record Run(String model, int textIndex, int pairIndex, int batchSize, int batchTokens, boolean legacy, int topK,
                       String function) implements MapPartitionsFunction<Row, Row>, Serializable {
        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            if (!rows.hasNext()) return rows;
            TextClassification tc = ExecutorModels.textClassification(model);
            Options options = new Options(legacy, topK, function == null ? null : TextClassification.Function.of(function));
            Tokenizer tokenizer = tc.tokenizer();
            return new Batches(rows, textIndex, pairIndex, batchSize, batchTokens, new Batches.PairModel() {
                @Override
                public Batches.Check check(String text, String pair) {
                    try {
                        tc.check(input(text, pair));
                    } catch (IllegalArgumentException tooLong) {   // "input 1 is 600 tokens, over the model's maximum of 512 …"
                        return Batches.Check.skip(Errors.oneLine(tooLong).replaceFirst("^input 1 is ", pair == null ? "text is " : "text and pair are "));
                    }
                    int n = (pair == null ? tokenizer.encode(text, Integer.MAX_VALUE, false)
                            : tokenizer.encodePair(text, pair, Integer.MAX_VALUE, false)).length();
                    return Batches.Check.run(n);
                }

                @Override
                public List<Object> run(List<String> texts, List<String> pairs) {
                    List<Input> inputs = new ArrayList<>(texts.size());
                    for (int i = 0; i < texts.size(); i++) inputs.add(input(texts.get(i), pairs.get(i)));
                    List<Object> out = new ArrayList<>(texts.size());
                    for (List<Label> labels : tc.classify(inputs, options)) {
                        out.add(legacy ? row(labels.getFirst()) : Batches.seq(labels.stream().map(TextClassifier::row).toList()));
                    }
                    return out;
                }
            });
        }
    }

    static Input input(String text, String pair) {
        return pair == null ? Input.of(text) : Input.pair(text, pair);
    }
}
