package dev.mlm4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlm4j.config.DistilBertConfig;
import dev.mlm4j.config.EncoderConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.heads.ClassificationHead;
import dev.mlm4j.weights.TensorInfo;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.WeightException;
import dev.mlm4j.weights.Weights;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DistilBERT (Sanh et al., 2019), as transformers' {@code modeling_distilbert}: config {@link DistilBertConfig},
 * tensors under {@code distilbert.*} (a bare DistilBertModel's without the prefix) and the heads' own: {@code vocab_*}
 * for the MLM head, {@code pre_classifier}/{@code classifier} (ReLU between) for sequence classification,
 * {@code classifier} for token classification, {@code qa_outputs} for question answering. Its tokenizer is BERT's WordPiece (its tokenizer.json/vocab.txt), without token types.
 */
public final class DistilBertFamily implements EncoderFamily {

    private static final List<Head<?>> HEADS = List.of(
            new Head<>("DistilBertModel", Task.ENCODER, t -> true, DistilBertFamily::model),
            new Head<>("DistilBertForMaskedLM", Task.MASKED_LM, DistilBertForMaskedLM::hasHead,
                    (t, c, p) -> DistilBertForMaskedLM.load(t, distilbert(c), p)),
            new Head<>("DistilBertForSequenceClassification", Task.SEQUENCE_CLASSIFICATION, t -> t.containsAnyUnder("pre_classifier."),
                    (t, c, p) -> SequenceClassifierModel.load(t, model(t, c, p), "pre_classifier", ClassificationHead.Activation.RELU, "classifier",
                            ClassificationHead.DropoutSites.HIDDEN)),
            new Head<>("DistilBertForTokenClassification", Task.TOKEN_CLASSIFICATION,
                    t -> t.contains("classifier.weight") && !t.containsAnyUnder("pre_classifier."),
                    (t, c, p) -> TokenClassifierModel.tokenClassifier(t, model(t, c, p))),
            new Head<>("DistilBertForQuestionAnswering", Task.QUESTION_ANSWERING, t -> t.containsAnyUnder("qa_outputs."),
                    (t, c, p) -> TokenClassifierModel.questionAnswerer(t, model(t, c, p))));

    /**
     * The encoder: under {@code distilbert.} in a checkpoint saved with a head; a bare DistilBertModel's (as
     * transformers loads it into any DistilBERT class) has {@code embeddings.*}, which the readers put under
     * {@code bert.}, and {@code transformer.*}.
     */
    static DistilBertModel model(TensorSource t, EncoderConfig c, Precision p) {
        Weights root = new Weights(t);
        return bare(t) ? new DistilBertModel(root.prefix("bert").prefix("embeddings"), root.prefix("transformer"), distilbert(c), p)
                : new DistilBertModel(root.prefix("distilbert"), distilbert(c), p);
    }

    private static boolean bare(TensorSource t) {
        return !t.containsAnyUnder("distilbert.") && t.containsAnyUnder("transformer.");
    }

    private static String words(TensorSource t) {
        return (bare(t) ? "bert" : "distilbert") + ".embeddings.word_embeddings.weight";
    }

    /**
     * DistilBertForSequenceClassification: {@code pre_classifier} (dim → dim) then {@code classifier}, in transformers'
     * order; DistilBertForTokenClassification: {@code classifier}.
     */
    @Override
    public Map<String, int[]> newHead(Task<?> task, int hidden, int labels) {
        Map<String, int[]> t = new LinkedHashMap<>();
        if (task.equals(Task.SEQUENCE_CLASSIFICATION)) EncoderFamily.linear(t, "pre_classifier", hidden, hidden);
        if (task.equals(Task.SEQUENCE_CLASSIFICATION) || task.equals(Task.TOKEN_CLASSIFICATION)) EncoderFamily.linear(t, "classifier", hidden, labels);
        return t;
    }

    @Override
    public String modelType() {
        return "distilbert";
    }

    @Override
    public List<Head<?>> heads() {
        return HEADS;
    }

    @Override
    public DistilBertConfig readConfig(JsonNode configJson, String where) {
        return DistilBertConfig.fromJson(configJson, where);
    }

    private static DistilBertConfig distilbert(EncoderConfig c) {
        if (c instanceof DistilBertConfig d) return d;
        throw new IllegalArgumentException("a DistilBERT model needs a DistilBERT config, not " + c);
    }

    @Override
    public void checkAgainst(EncoderConfig config, TensorSource t) {
        DistilBertConfig c = distilbert(config);
        DistilBertConfig seen = fromShapes(t, c.nHeads());
        String[][] pairs = {
                {"vocab_size", "" + c.vocabSize(), "" + seen.vocabSize()},
                {"dim", "" + c.dim(), "" + seen.dim()},
                {"n_layers", "" + c.nLayers(), "" + seen.nLayers()},
                {"hidden_dim", "" + c.hiddenDim(), "" + seen.hiddenDim()},
                {"max_position_embeddings", "" + c.maxPositionEmbeddings(), "" + seen.maxPositionEmbeddings()}};
        FamilyChecks.sameSizes(t, pairs);
    }

    @Override
    public void checkVocabulary(int vocabSize, Path vocabFile, TensorSource t) {
        FamilyChecks.vocabularyFits(vocabSize, vocabFile, t, words(t), "DistilBERT");
    }

    /** DistilBERT checkpoints always carry config.json; from shapes alone the head count follows 64-wide heads. */
    @Override
    public DistilBertConfig inferConfig(TensorSource t) {
        return fromShapes(t, 0);
    }

    private static DistilBertConfig fromShapes(TensorSource t, int heads) {
        String embeddings = bare(t) ? "bert.embeddings." : "distilbert.embeddings.", transformer = bare(t) ? "transformer." : "distilbert.transformer.";
        TensorInfo word = require(t, embeddings + "word_embeddings.weight");
        TensorInfo pos = require(t, embeddings + "position_embeddings.weight");
        TensorInfo lin1 = require(t, transformer + "layer.0.ffn.lin1.weight");
        int layers = BertFamily.layers(t, transformer + "layer.", ".attention.q_lin.weight");
        int dim = word.shape()[1];
        if (heads <= 0) {
            if (dim % 64 != 0) throw new WeightException(t.origin() + ": dim " + dim + " is not a multiple of 64 and there is no config.json to give n_heads");
            heads = dim / 64;
        }
        return new DistilBertConfig(word.shape()[0], dim, layers, heads, lin1.shape()[0], "gelu", pos.shape()[0], 0);
    }

    private static TensorInfo require(TensorSource t, String name) {
        return FamilyChecks.require(t, name, "DistilBERT");
    }
}
