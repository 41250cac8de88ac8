package dev.mlm4j.spark;

import dev.mlm4j.pipelines.FeatureExtraction;
import dev.mlm4j.pipelines.FillMask;
import dev.mlm4j.tokens.Encoding;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;

import java.util.ArrayList;
import java.util.List;

/**
 * The pipelines as SQL functions, for {@code spark.sql(...)} and {@code selectExpr}:
 * <pre>
 *   Mlm4jUdfs.register(spark, "bert-base-uncased");
 *   spark.sql("SELECT fill_mask('Paris is the [MASK] of France.')[0].token");          -- capital
 *   Mlm4jUdfs.register(spark, "all-MiniLM-L6-v2");
 *   spark.sql("SELECT id, embed(text) AS v FROM docs");
 * </pre>
 * <ul>
 *   <li>{@code embed(text)} → {@code array<float>}: the model's sentence embedding (its pooling and normalisation);</li>
 *   <li>{@code fill_mask(text)} → {@code array<struct<mask, position, token, token_id, score, sequence>>}, 5 per
 *       [MASK], as {@link MaskFiller}; registered only for models with a masked-LM head;</li>
 *   <li>{@code tokenize(text)} → {@code struct<ids, tokens, offsets, special, truncated>}, as {@link Tokenizer}.</li>
 * </ul>
 * Functions run row by row (one forward pass per row) and give null where the Transformers give a reason: null or
 * empty text, a text too long for the model, no [MASK]. For bulk work the Transformers are faster — they batch.
 * The model is checked on the driver at registration; executors load it on first call, once per JVM.
 */
public final class Mlm4jUdfs {
    private Mlm4jUdfs() {}

    /**
     * Registers {@code embed}, {@code tokenize} and, when the model has a masked-LM head, {@code fill_mask}, all bound to
     * {@code model}; returns the names registered. A later registration of the same name replaces the earlier one.
     */
    public static List<String> register(SparkSession spark, String model) {
        ModelCheck.Found found = ModelCheck.onDriver(model, "Mlm4jUdfs");
        List<String> names = new ArrayList<>();
        registerEmbed(spark, "embed", found.model());
        names.add("embed");
        registerTokenize(spark, "tokenize", found.model());
        names.add("tokenize");
        if (ModelCheck.hasMaskedLmHead(found)) {
            registerFillMask(spark, "fill_mask", found.model());
            names.add("fill_mask");
        }
        return names;
    }

    /** {@code name(text)} → the model's sentence embedding, {@code array<float>}. */
    public static void registerEmbed(SparkSession spark, String name, String model) {
        String m = ModelCheck.onDriver(model, "Mlm4jUdfs").model();
        spark.udf().register(name, new Embed(m), DataTypes.createArrayType(DataTypes.FloatType, false));
    }

    /** {@code name(text)} → the top 5 candidates of every [MASK], as {@link MaskFiller}'s column. */
    public static void registerFillMask(SparkSession spark, String name, String model) {
        String m = ModelCheck.withMaskedLmHead(model, "Mlm4jUdfs").model();
        spark.udf().register(name, new Fill(m), DataTypes.createArrayType(MaskFiller.CANDIDATE, false));
    }

    /** {@code name(text)} → the tokens, as {@link Tokenizer}'s column (no length limit). */
    public static void registerTokenize(SparkSession spark, String name, String model) {
        String m = ModelCheck.onDriver(model, "Mlm4jUdfs").model();
        spark.udf().register(name, new Tokenize(m), Tokenizer.TOKENS);
    }

    private record Embed(String model) implements UDF1<String, float[]> {
        @Override
        public float[] call(String text) {
            if (Batches.emptyReason(text) != null) return null;
            FeatureExtraction fe = ExecutorModels.embeddings(model);
            if (Embedder.check(fe, text, FeatureExtraction.Options.DEFAULT).reason() != null) return null;
            return fe.embed(text);
        }
    }

    private record Fill(String model) implements UDF1<String, Object> {
        @Override
        public Object call(String text) {
            if (Batches.emptyReason(text) != null) return null;
            FillMask fill = ExecutorModels.fillMask(model);
            Encoding e;
            try {
                e = fill.tokenizer().encode(text, fill.maxLength(), false);
            } catch (IllegalArgumentException tooLong) {
                return null;
            }
            if (MaskFiller.noMaskReason(text, e, fill, fill.maxLength()) != null) return null;
            return MaskFiller.rows(fill.fill(text, FillMask.Options.DEFAULT));
        }
    }

    private record Tokenize(String model) implements UDF1<String, Object> {
        @Override
        public Object call(String text) {
            if (Batches.emptyReason(text) != null) return null;
            return Tokenizer.row(ExecutorModels.tokenizer(model).encode(text, Integer.MAX_VALUE, false), text);
        }
    }
}
