package dev.mlm4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlm4j.config.EncoderConfig;
import dev.mlm4j.config.ModernBertConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.heads.ModernBertPredictionHead;
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
 * ModernBERT (Warner et al., 2024), as transformers' {@code modeling_modernbert} (model_type {@code modernbert}): config
 * {@link ModernBertConfig}, tensors under {@code model.*} with the heads' {@code head.*}, {@code decoder.*},
 * {@code classifier.*}, and five models: {@code ModernBertModel}, {@code ModernBertForMaskedLM},
 * {@code ModernBertForSequenceClassification} (the pooled sequence — the first token with {@code classifier_pooling}
 * "cls", the mean over its tokens with "mean" — then the {@link ModernBertPredictionHead} {@code head.*} and
 * {@code classifier}), {@code ModernBertForTokenClassification} and {@code ModernBertForQuestionAnswering} ({@code head.*}
 * on every token, then {@code classifier}: num_labels, or 2 for a start and an end logit) — the three on the shared
 * {@link SequenceClassifierModel} and {@link TokenClassifierModel}. Its attention is {@link dev.mlm4j.encoder.ModernBertAttention} (rotary,
 * sliding window on local layers). Its tokenizer is a byte-level BPE tokenizer.json with {@code [MASK]}.
 */
public final class ModernBertFamily implements EncoderFamily {

    private static final List<Head<?>> HEADS = List.of(
            new Head<>("ModernBertModel", Task.ENCODER, t -> true, (t, c, p) -> ModernBertModel.load(t, modernBert(c), p)),
            new Head<>("ModernBertForMaskedLM", Task.MASKED_LM, ModernBertForMaskedLM::hasHead,
                    (t, c, p) -> ModernBertForMaskedLM.load(t, modernBert(c), p)),
            new Head<>("ModernBertForSequenceClassification", Task.SEQUENCE_CLASSIFICATION, BertWithClassifier::hasHead,
                    (t, c, p) -> SequenceClassifierModel.load(t, ModernBertModel.load(t, modernBert(c), p),
                            modernBert(c).classifierPooling().equals("mean") ? SequenceClassifierModel.Pooling.MEAN : SequenceClassifierModel.Pooling.FIRST,
                            head(t, c, p), "classifier")),
            new Head<>("ModernBertForTokenClassification", Task.TOKEN_CLASSIFICATION, BertWithClassifier::hasHead,
                    (t, c, p) -> TokenClassifierModel.tokenClassifier(t, ModernBertModel.load(t, modernBert(c), p), head(t, c, p))),
            new Head<>("ModernBertForQuestionAnswering", Task.QUESTION_ANSWERING, BertWithClassifier::hasHead,
                    (t, c, p) -> TokenClassifierModel.questionAnswerer(t, ModernBertModel.load(t, modernBert(c), p), "classifier", head(t, c, p))));

    /** The {@link ModernBertPredictionHead} ({@code head.*}) every ModernBERT classifier runs before its {@code classifier}. */
    private static ModernBertPredictionHead head(TensorSource t, EncoderConfig c, Precision p) {
        return new ModernBertPredictionHead(new Weights(t).prefix("head"), modernBert(c), p);
    }

    /**
     * ModernBertForSequenceClassification and …ForTokenClassification: the prediction head {@code head.dense} (no bias,
     * as {@code classifier_bias} false) and {@code head.norm} (a weight of ones, no bias, as {@code norm_bias} false), then
     * {@code classifier} (with bias); a masked LM's {@code head.*} is kept, as transformers keeps it.
     */
    @Override
    public Map<String, int[]> newHead(Task<?> task, int hidden, int labels) {
        Map<String, int[]> t = new LinkedHashMap<>();
        if (task.equals(Task.SEQUENCE_CLASSIFICATION) || task.equals(Task.TOKEN_CLASSIFICATION)) {
            t.put("head.dense.weight", new int[] {hidden, hidden});
            t.put("head.norm.weight", new int[] {hidden});
            EncoderFamily.linear(t, "classifier", hidden, labels);
        }
        return t;
    }

    @Override
    public String modelType() {
        return "modernbert";
    }

    @Override
    public List<Head<?>> heads() {
        return HEADS;
    }

    @Override
    public ModernBertConfig readConfig(JsonNode configJson, String where) {
        return ModernBertConfig.fromJson(configJson, where);
    }

    private static ModernBertConfig modernBert(EncoderConfig c) {
        if (c instanceof ModernBertConfig m) return m;
        throw new IllegalArgumentException("a ModernBERT model needs a ModernBERT config, not " + c);
    }

    private static String words(TensorSource t) {
        return t.containsAnyUnder("model.embeddings.") ? "model.embeddings.tok_embeddings.weight" : "bert.embeddings.tok_embeddings.weight";
    }

    private static final Pattern LAYER = Pattern.compile("(?:model\\.)?layers\\.(\\d+)\\.attn\\.Wqkv\\.weight");

    @Override
    public void checkAgainst(EncoderConfig config, TensorSource t) {
        ModernBertConfig c = modernBert(config);
        TensorInfo word = require(t, words(t));
        String layers = t.containsAnyUnder("model.embeddings.") ? "model.layers." : "layers.";
        TensorInfo wi = require(t, layers + "0.mlp.Wi.weight");
        int n = 0;
        for (String name : t.names()) {
            Matcher m = LAYER.matcher(name);
            if (m.matches()) n = Math.max(n, Integer.parseInt(m.group(1)) + 1);
        }
        FamilyChecks.sameSizes(t, new String[][] {
                {"vocab_size", "" + c.vocabSize(), "" + word.shape()[0]},
                {"hidden_size", "" + c.hiddenSize(), "" + word.shape()[1]},
                {"num_hidden_layers", "" + c.numHiddenLayers(), "" + n},
                {"intermediate_size", "" + c.intermediateSize(), "" + wi.shape()[0] / 2}});
    }

    @Override
    public void checkVocabulary(int vocabSize, Path vocabFile, TensorSource t) {
        // ModernBERT pads its embedding table past the tokenizer (50368 rows for 50280 tokens): more rows are fine
        TensorInfo word = require(t, words(t));
        if (vocabSize > word.shape()[0]) {
            throw new WeightException(vocabFile + " has " + vocabSize + " tokens but the word-embedding table (" + words(t) + " in "
                    + t.origin() + ") has " + word.shape()[0] + " rows: the vocabulary does not belong to these weights");
        }
    }

    /** ModernBERT checkpoints always carry config.json (rotary θ, window and layer types are not in the shapes). */
    @Override
    public ModernBertConfig inferConfig(TensorSource t) {
        throw new WeightException(t.origin() + ": a ModernBERT checkpoint needs its config.json (its attention pattern is not in the tensors' shapes)");
    }

    private static TensorInfo require(TensorSource t, String name) {
        return FamilyChecks.require(t, name, "ModernBERT");
    }
}
