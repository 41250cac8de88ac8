package dev.mlm4j.spark;

import dev.mlm4j.tokens.Encoding;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.param.IntParam;
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
 * Text → the model's tokens, exactly as the engine sees them ([CLS] text [SEP], Hugging Face's BertTokenizer):
 * a struct column
 * <pre>
 *   ids       array&lt;int&gt;                         vocabulary ids
 *   tokens    array&lt;string&gt;                      word pieces ("##" kept)
 *   offsets   array&lt;struct&lt;start:int, end:int&gt;&gt;   character offsets into the text, end exclusive; −1 for [CLS]/[SEP]
 *   special   array&lt;boolean&gt;                     true for the [CLS]/[SEP] the tokenizer added
 *   truncated boolean                            whether tokens were cut to maxLength
 * </pre>
 * Offsets count characters as Python and Spark SQL's {@code substring(text, start + 1, end - start)} do: code points,
 * so a character outside the Basic Multilingual Plane (an emoji) counts once, as in {@link EntityTagger}'s offsets.
 * Only the tokenizer is loaded on executors, not the weights. {@code maxLength} 0 (the default) keeps every token.
 */
public final class Tokenizer extends Mlm4jTransformer<Tokenizer> {

    public static final StructType OFFSET = new StructType().add("start", DataTypes.IntegerType, false).add("end", DataTypes.IntegerType, false);

    public static final StructType TOKENS = new StructType()
            .add("ids", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
            .add("tokens", DataTypes.createArrayType(DataTypes.StringType, false), false)
            .add("offsets", DataTypes.createArrayType(OFFSET, false), false)
            .add("special", DataTypes.createArrayType(DataTypes.BooleanType, false), false)
            .add("truncated", DataTypes.BooleanType, false);

    private final IntParam maxLength;

    public Tokenizer() {
        this(Identifiable.randomUID("mlm4jTokenizer"));
    }

    public Tokenizer(String uid) {
        super(uid, "tokens", "bert-base-uncased");
        maxLength = new IntParam(this, "maxLength", "cut to this many tokens, [CLS] and [SEP] included; 0 keeps them all",
                ParamValidators.gtEq(0));
        setDefault(maxLength, 0);
    }

    public IntParam maxLength() {
        return maxLength;
    }

    public int getMaxLength() {
        return (Integer) getOrDefault(maxLength);
    }

    public Tokenizer setMaxLength(int tokens) {
        set(maxLength, tokens);
        return this;
    }

    @Override
    protected DataType resultType() {
        return TOKENS;
    }

    @Override
    protected MapPartitionsFunction<Row, Row> partitionFunction(String model, StructType input) {
        int textIndex = input.fieldIndex(getInputCol());
        if (getMaxLength() == 1) {   // refused here, on the driver, rather than by every task
            throw new IllegalArgumentException(stageName() + ": maxLength must be 0 (keep every token) or at least 2 ([CLS] and [SEP])");
        }
        return new Run(model, textIndex, getMaxLength());
    }

    public static MLReader<Tokenizer> read() {
        return new DefaultParamsReader<>();
    }

    public static Tokenizer load(String path) {
        return read().load(path);
    }

    /** The struct of one encoding of {@code text}, its offsets turned from UTF-16 indices into code points. */
    static Row row(Encoding e, String text) {
        int n = e.length();
        int[] codePoints = codePointsBefore(text);
        List<Integer> ids = new ArrayList<>(n);
        List<String> tokens = new ArrayList<>(n);
        List<Row> offsets = new ArrayList<>(n);
        List<Boolean> special = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(e.ids()[i]);
            tokens.add(e.tokens()[i]);
            int start = e.start()[i], end = e.end()[i];
            offsets.add(RowFactory.create(start < 0 ? start : codePoints[start], end < 0 ? end : codePoints[end]));
            special.add(e.special()[i]);
        }
        return RowFactory.create(Batches.seq(ids), Batches.seq(tokens), Batches.seq(offsets), Batches.seq(special), e.truncated());
    }

    /** c[i] = {@code text.codePointCount(0, i)} for every i in [0, length], in one pass. */
    static int[] codePointsBefore(String text) {
        int[] c = new int[text.length() + 1];
        for (int i = 0; i < text.length(); i++) {
            boolean secondHalf = i > 0 && Character.isLowSurrogate(text.charAt(i)) && Character.isHighSurrogate(text.charAt(i - 1));
            c[i + 1] = c[i] + (secondHalf ? 0 : 1);
        }
        return c;
    }

    private record Run(String model, int textIndex, int maxLength) implements MapPartitionsFunction<Row, Row>, Serializable {
        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            dev.mlm4j.tokens.Tokenizer tokenizer = ExecutorModels.tokenizer(model);
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return rows.hasNext();
                }

                @Override
                public Row next() {
                    Row row = rows.next();
                    String text = row.isNullAt(textIndex) ? null : row.getString(textIndex);
                    String reason = Batches.emptyReason(text);
                    if (reason != null) return Batches.append(row, null, reason);
                    Encoding e = maxLength > 0 ? tokenizer.encode(text, maxLength, true) : tokenizer.encode(text, Integer.MAX_VALUE, false);
                    return Batches.append(row, row(e, text), null);
                }
            };
        }
    }
}
