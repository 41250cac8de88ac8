package dev.mlm4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlm4j.config.DebertaV2Config;
import dev.mlm4j.config.EncoderConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.heads.ContextPooler;
import dev.mlm4j.weights.TensorInfo;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.WeightException;
import dev.mlm4j.weights.Weights;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * DeBERTa-v2 and DeBERTa-v3 (He et al., 2021; 2023), as transformers' {@code modeling_deberta_v2} (model_type
 * {@code deberta-v2}): config {@link DebertaV2Config}, tensors under {@code deberta.*} (a bare model's under mlm4j's
 * canonical {@code bert.*}), and five models: {@code DebertaV2Model}, {@code DebertaV2ForMaskedLM} (either head layout),
 * {@code DebertaV2ForSequenceClassification} ({@link ContextPooler} {@code pooler.dense} on the first token, then
 * {@code classifier}: logits = classifier(gelu(pooler.dense(h[CLS])))), {@code DebertaV2ForTokenClassification}
 * ({@code classifier} on every token) and {@code DebertaV2ForQuestionAnswering} ({@code qa_outputs}, a start and an end
 * logit per token) — the three on the shared {@link SequenceClassifierModel} and {@link TokenClassifierModel}. Its attention is {@link dev.mlm4j.encoder.DisentangledSelfAttention}.
 * DeBERTa-v3's tokenizer is a SentencePiece Unigram tokenizer.json with {@code [MASK]}. The masked LM (its
 * {@code lm_predictions} head), the sequence and the token classifier train ({@link DebertaV2Model} is a
 * {@link TrainableEncoder}); {@link #newHead} gives a masked LM or bare model given to classify or tag its new head.
 */
public final class DebertaV2Family implements EncoderFamily {

    private static final List<Head<?>> HEADS = List.of(
            new Head<>("DebertaV2Model", Task.ENCODER, t -> true, (t, c, p) -> DebertaV2Model.load(t, deberta(c), p)),
            new Head<>("DebertaV2ForMaskedLM", Task.MASKED_LM, DebertaV2ForMaskedLM::hasHead,
                    (t, c, p) -> DebertaV2ForMaskedLM.load(t, deberta(c), p)),
            new Head<>("DebertaV2ForSequenceClassification", Task.SEQUENCE_CLASSIFICATION, BertWithClassifier::hasHead,
                    (t, c, p) -> SequenceClassifierModel.load(t, DebertaV2Model.load(t, deberta(c), p), pooler(t, deberta(c), p), "pooler",
                            "classifier")),
            new Head<>("DebertaV2ForTokenClassification", Task.TOKEN_CLASSIFICATION, BertWithClassifier::hasHead,
                    (t, c, p) -> TokenClassifierModel.tokenClassifier(t, DebertaV2Model.load(t, deberta(c), p))),
            new Head<>("DebertaV2ForQuestionAnswering", Task.QUESTION_ANSWERING, t -> t.containsAnyUnder("qa_outputs."),
                    (t, c, p) -> TokenClassifierModel.questionAnswerer(t, DebertaV2Model.load(t, deberta(c), p))));

    /**
     * The sequence classifier's {@link ContextPooler}: its key {@code pooler.dense.*} sits at the top level, where
     * mlm4j's canonical names read it as {@code bert.pooler.dense.*}; both are accepted.
     */
    private static ContextPooler pooler(TensorSource t, DebertaV2Config c, Precision p) {
        Weights root = new Weights(t);
        if (t.contains("pooler.dense.weight")) return new ContextPooler(root.prefix("pooler"), c.hiddenSize(), p);
        if (t.contains("bert.pooler.dense.weight")) return new ContextPooler(root.prefix("bert").prefix("pooler"), c.hiddenSize(), p);
        throw new WeightException("missing weight 'pooler.dense.weight' in " + t.origin()
                + ": DebertaV2ForSequenceClassification classifies the pooled first token and the checkpoint has no pooler");
    }

    /**
     * DebertaV2ForSequenceClassification: {@code pooler.dense} (hidden → hidden) then {@code classifier}, in transformers'
     * order; DebertaV2ForTokenClassification: {@code classifier}.
     */
    @Override
    public Map<String, int[]> newHead(Task<?> task, int hidden, int labels) {
        Map<String, int[]> t = new LinkedHashMap<>();
        if (task.equals(Task.SEQUENCE_CLASSIFICATION)) EncoderFamily.linear(t, "pooler.dense", hidden, hidden);
        if (task.equals(Task.SEQUENCE_CLASSIFICATION) || task.equals(Task.TOKEN_CLASSIFICATION)) EncoderFamily.linear(t, "classifier", hidden, labels);
        return t;
    }

    @Override
    public String modelType() {
        return "deberta-v2";
    }

    @Override
    public List<Head<?>> heads() {
        return HEADS;
    }

    @Override
    public DebertaV2Config readConfig(JsonNode configJson, String where) {
        return DebertaV2Config.fromJson(configJson, where);
    }

    private static DebertaV2Config deberta(EncoderConfig c) {
        if (c instanceof DebertaV2Config d) return d;
        throw new IllegalArgumentException("a DeBERTa-v2 model needs a DeBERTa-v2 config, not " + c);
    }

    private static String base(TensorSource t) {
        return FamilyChecks.basePrefix(t, "deberta") + ".";
    }

    private static final Pattern LAYER = Pattern.compile("(?:deberta|bert)\\.encoder\\.layer\\.(\\d+)\\.attention\\.self\\.query_proj\\.weight");

    @Override
    public void checkAgainst(EncoderConfig config, TensorSource t) {
        DebertaV2Config c = deberta(config);
        String b = base(t);
        TensorInfo word = require(t, b + "embeddings.word_embeddings.weight");
        TensorInfo inter = require(t, b + "encoder.layer.0.intermediate.dense.weight");
        TensorInfo query = require(t, b + "encoder.layer.0.attention.self.query_proj.weight");
        int layers = 0;
        for (String name : t.names()) {
            Matcher m = LAYER.matcher(name);
            if (m.matches()) layers = Math.max(layers, Integer.parseInt(m.group(1)) + 1);
        }
        FamilyChecks.sameSizes(t, new String[][] {
                {"vocab_size", "" + c.vocabSize(), "" + word.shape()[0]},
                {"embedding_size", "" + c.embeddingSize(), "" + word.shape()[1]},
                {"hidden_size", "" + c.hiddenSize(), "" + query.shape()[0]},
                {"num_hidden_layers", "" + c.numHiddenLayers(), "" + layers},
                {"intermediate_size", "" + c.intermediateSize(), "" + inter.shape()[0]}});
        if (c.relativeAttention()) {
            TensorInfo rel = require(t, b + "encoder.rel_embeddings.weight");
            FamilyChecks.sameSizes(t, new String[][] {{"2 × position_buckets (else max_relative_positions)", "" + c.relativeEmbeddings(),
                    "" + rel.shape()[0]}});
        }
    }

    @Override
    public void checkVocabulary(int vocabSize, Path vocabFile, TensorSource t) {
        FamilyChecks.vocabularyFits(vocabSize, vocabFile, t, base(t) + "embeddings.word_embeddings.weight", "DeBERTa-v2");
    }

    /** DeBERTa's relative attention is set by config.json alone; its checkpoints always carry one. */
    @Override
    public DebertaV2Config inferConfig(TensorSource t) {
        throw new WeightException(t.origin() + ": a DeBERTa-v2 checkpoint needs its config.json (relative attention is not in the tensors' shapes)");
    }

    private static TensorInfo require(TensorSource t, String name) {
        return FamilyChecks.require(t, name, "DeBERTa-v2");
    }
}
