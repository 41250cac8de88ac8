package dev.mlm4j.spark;

import dev.mlm4j.pipelines.FillMask;
import dev.mlm4j.tokens.Encoding;
import dev.mlm4j.tokens.TooLongException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
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
 * Fill-mask over a text column: every mask token of a text (the tokenizer's own: {@code [MASK]}, or {@code <mask>} for
 * RoBERTa and XLM-R) gets the model's {@code topK} candidates, as an
 * array of structs, masks in text order and each mask's candidates most probable first:
 * <pre>
 *   mask      int     which mask of the text, from 0
 *   position  int     its token index (with [CLS] at 0)
 *   token     string  the candidate word piece
 *   token_id  int     its vocabulary id
 *   score     double  its probability (softmax over the whole vocabulary)
 *   sequence  string  the text with this candidate in place of the mask (Hugging Face's "sequence")
 * </pre>
 * The same numbers as {@link FillMask} (and Hugging Face's fill-mask pipeline). A text without its mask token, or
 * too long for the model (unless {@code truncate}), gets a null result and a reason.
 */
public final class MaskFiller extends Mlm4jTransformer<MaskFiller> {

    public static final StructType CANDIDATE = new StructType()
            .add("mask", DataTypes.IntegerType, false)
            .add("position", DataTypes.IntegerType, false)
            .add("token", DataTypes.StringType, false)
            .add("token_id", DataTypes.IntegerType, false)
            .add("score", DataTypes.DoubleType, false)
            .add("sequence", DataTypes.StringType, false);

    private final IntParam topK;
    private final StringArrayParam targets;
    private final BooleanParam causal;
    private final BooleanParam truncate;
    private final IntParam batchSize;
    private final IntParam batchTokens;

    public MaskFiller() {
        this(Identifiable.randomUID("mlm4jMaskFiller"));
    }

    public MaskFiller(String uid) {
        super(uid, "predictions", "bert-base-uncased");
        topK = new IntParam(this, "topK", "candidates per [MASK]", ParamValidators.gtEq(1));
        targets = new StringArrayParam(this, "targets", "if not empty, score only these words (the first word piece of each)");
        causal = new BooleanParam(this, "causal", "run every layer with the causal mask instead of bidirectional attention");
        truncate = new BooleanParam(this, "truncate", "cut texts longer than the model's maximum instead of giving a null result");
        batchSize = new IntParam(this, "batchSize", "texts per forward pass, at most", ParamValidators.gtEq(1));
        batchTokens = new IntParam(this, "batchTokens", "tokens per forward pass, at most (a longer text runs alone)", ParamValidators.gtEq(1));
        setDefault(topK, 5);
        setDefault(targets, new String[0]);
        setDefault(causal, false);
        setDefault(truncate, false);
        setDefault(batchSize, 32);
        setDefault(batchTokens, 4096);
    }

    public IntParam topK() { return topK; }
    public StringArrayParam targets() { return targets; }
    public BooleanParam causal() { return causal; }
    public BooleanParam truncate() { return truncate; }
    public IntParam batchSize() { return batchSize; }
    public IntParam batchTokens() { return batchTokens; }

    public int getTopK() { return (Integer) getOrDefault(topK); }
    public String[] getTargets() { return getOrDefault(targets); }
    public boolean getCausal() { return (Boolean) getOrDefault(causal); }
    public boolean getTruncate() { return (Boolean) getOrDefault(truncate); }
    public int getBatchSize() { return (Integer) getOrDefault(batchSize); }
    public int getBatchTokens() { return (Integer) getOrDefault(batchTokens); }

    public MaskFiller setTopK(int k) { set(topK, k); return this; }
    public MaskFiller setTargets(String... words) { set(targets, words); return this; }
    public MaskFiller setCausal(boolean c) { set(causal, c); return this; }
    public MaskFiller setTruncate(boolean t) { set(truncate, t); return this; }
    public MaskFiller setBatchSize(int texts) { set(batchSize, texts); return this; }
    public MaskFiller setBatchTokens(int tokens) { set(batchTokens, tokens); return this; }

    @Override
    protected DataType resultType() {
        return DataTypes.createArrayType(CANDIDATE, false);
    }

    @Override
    protected String checkModel() {
        return ModelCheck.withMaskedLmHead(getModel(), stageName()).model();
    }

    /** The options every executor uses; built on the driver too, so bad settings fail before any task. */
    FillMask.Options options() {
        for (String t : getTargets()) {
            if (t == null || t.isBlank()) throw new IllegalArgumentException(stageName() + ": empty target word in targets");
        }
        return new FillMask.Options(getTopK(), List.of(getTargets()), getCausal(), getTruncate());
    }

    @Override
    protected MapPartitionsFunction<Row, Row> partitionFunction(String model, StructType input) {
        int textIndex = input.fieldIndex(getInputCol());
        FillMask.Options o = options();
        return new Run(model, textIndex, getBatchSize(), getBatchTokens(), o.topK(), o.targets().toArray(String[]::new), o.causal(), o.truncate());
    }

    public static MLReader<MaskFiller> read() {
        return new DefaultParamsReader<>();
    }

    public static MaskFiller load(String path) {
        return read().load(path);
    }

    /** The array of candidate structs for one text's results. */
    static scala.collection.immutable.Seq<Row> rows(List<FillMask.MaskResult> masks) {
        List<Row> out = new ArrayList<>();
        for (int m = 0; m < masks.size(); m++) {
            FillMask.MaskResult r = masks.get(m);
            for (FillMask.Prediction p : r.predictions()) {
                out.add(RowFactory.create(m, r.position(), p.tokenStr(), p.token(), p.score(), p.sequence()));
            }
        }
        return Batches.seq(out);
    }

    /**
     * Why {@code text} cannot be filled, or null; {@code e} is its encoding, {@code fill} the pipeline (its mask token:
     * [MASK], &lt;mask&gt;). A text with another family's mask token is told which one this model reads.
     */
    static String noMaskReason(String text, Encoding e, FillMask fill, int maxLength) {
        int maskId = fill.tokenizer().maskId();
        for (int id : e.ids()) if (id == maskId) return null;
        String mask = fill.maskToken();
        return (e.truncated() ? "no " + mask + " token left after truncation to " + maxLength + " tokens" : "no " + mask + " token in the text")
                + FillMask.wrongMaskHint(text, mask);
    }

    private record Run(String model, int textIndex, int batchSize, int batchTokens, int topK, String[] targets, boolean causal,
                       boolean truncate) implements MapPartitionsFunction<Row, Row>, Serializable {
        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            if (!rows.hasNext()) return rows;
            FillMask fill = ExecutorModels.fillMask(model);
            FillMask.Options options = new FillMask.Options(topK, List.of(targets), causal, truncate);
            int max = fill.maxLength();
            return new Batches(rows, textIndex, batchSize, batchTokens, new Batches.Model() {
                @Override
                public Batches.Check check(String text) {
                    Encoding e;
                    try {
                        e = fill.tokenizer().encode(text, max, truncate);
                    } catch (TooLongException tooLong) {   // the stage's own switch, as Embedder's reason names it
                        return Batches.Check.skip(tooLong.withHint("set truncate").replace('\n', ' '));
                    } catch (IllegalArgumentException bad) {
                        return Batches.Check.skip(Errors.oneLine(bad));
                    }
                    String reason = noMaskReason(text, e, fill, max);
                    return reason != null ? Batches.Check.skip(reason) : Batches.Check.run(e.length());
                }

                @Override
                public List<Object> run(List<String> texts) {
                    List<Object> out = new ArrayList<>(texts.size());
                    for (List<FillMask.MaskResult> r : fill.fill(texts, options)) out.add(rows(r));
                    return out;
                }
            });
        }
    }
}
