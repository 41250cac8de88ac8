package dev.mlm4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.config.ElectraConfig;
import dev.mlm4j.config.EncoderConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.heads.ClassificationHead;
import dev.mlm4j.heads.RobertaLMHead;
import dev.mlm4j.layers.LayerNorm;
import dev.mlm4j.layers.Linear;
import dev.mlm4j.weights.TensorInfo;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.Weights;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * ELECTRA (Clark et al., 2020), as transformers' {@code modeling_electra}: config {@link ElectraConfig}, tensors under
 * {@code electra.*} (a bare {@code ElectraModel}'s without the prefix) and the heads' own. Models: the encoder; the
 * generator {@code ElectraForMaskedLM} ({@code generator_predictions} dense → GELU → LayerNorm to {@code embedding_size},
 * {@code generator_lm_head} tied to the word embeddings); the discriminator {@code ElectraForPreTraining} (one
 * replaced-token logit per token); sequence classification ({@code ElectraClassificationHead}: dense, GELU, out_proj on
 * the first token), token classification and question answering. Its tokenizer is BERT's WordPiece.
 */
public final class ElectraFamily implements EncoderFamily {

    private static final List<Head<?>> HEADS = List.of(
            new Head<>("ElectraModel", Task.ENCODER, t -> true, ElectraFamily::model),
            new Head<>("ElectraForMaskedLM", Task.MASKED_LM,
                    t -> t.containsAnyUnder("generator_predictions.") || t.containsAnyUnder("generator_lm_head."), ElectraFamily::generator),
            new Head<>("ElectraForPreTraining", Task.REPLACED_TOKEN_DETECTION, ElectraForPreTraining::hasHead,
                    (t, c, p) -> new ElectraForPreTraining(model(t, c, p), t)),
            new Head<>("ElectraForSequenceClassification", Task.SEQUENCE_CLASSIFICATION, t -> t.containsAnyUnder("classifier.out_proj."),
                    (t, c, p) -> SequenceClassifierModel.load(t, model(t, c, p), "classifier.dense", ClassificationHead.Activation.GELU,
                            "classifier.out_proj")),
            new Head<>("ElectraForTokenClassification", Task.TOKEN_CLASSIFICATION, t -> t.contains("classifier.weight"),
                    (t, c, p) -> TokenClassifierModel.tokenClassifier(t, model(t, c, p))),
            new Head<>("ElectraForQuestionAnswering", Task.QUESTION_ANSWERING, t -> t.containsAnyUnder("qa_outputs."),
                    (t, c, p) -> TokenClassifierModel.questionAnswerer(t, model(t, c, p))));

    private static ElectraModel model(TensorSource t, EncoderConfig c, Precision p) {
        String base = FamilyChecks.basePrefix(t, "electra");
        Weights root = new Weights(t);
        // a bare ElectraModel's reader moves embeddings.* and encoder.* under bert. but leaves embeddings_project.* as is
        return new ElectraModel(root.prefix(base), base.equals("electra") ? root.prefix("electra") : root, electra(c), p);
    }

    /** ElectraForMaskedLM: the generator's head is RoBERTa's computation from embedding_size-wide parts. */
    private static ElectraForMaskedLM generator(TensorSource t, EncoderConfig config, Precision p) {
        ElectraConfig c = electra(config);
        ElectraModel m = model(t, c, p);
        Weights root = new Weights(t), predictions = root.prefix("generator_predictions"), lmHead = root.prefix("generator_lm_head");
        int e = c.embeddingSize();
        return new ElectraForMaskedLM(m, RobertaLMHead.of(Linear.load(predictions.prefix("dense"), c.hiddenSize(), e, p),
                LayerNorm.load(predictions.prefix("LayerNorm"), e, c.encoder().layerNormEps()),
                RobertaLMHead.decoder(lmHead, e, m.embeddings().wordEmbeddings()),
                lmHead.tensor("bias", c.vocabSize())));
    }

    private static ElectraConfig electra(EncoderConfig c) {
        if (c instanceof ElectraConfig e) return e;
        throw new IllegalArgumentException("an ELECTRA model needs an ELECTRA config, not " + c);
    }

    /** …ForSequenceClassification: {@code classifier.dense} and {@code classifier.out_proj}; …ForTokenClassification: {@code classifier}. */
    @Override
    public Map<String, int[]> newHead(Task<?> task, int hidden, int labels) {
        return RobertaFamily.classificationHead(task, hidden, labels);    // ElectraClassificationHead has RoBERTa's keys
    }

    @Override
    public String modelType() {
        return "electra";
    }

    @Override
    public List<Head<?>> heads() {
        return HEADS;
    }

    @Override
    public ElectraConfig readConfig(JsonNode configJson, String where) {
        return ElectraConfig.fromJson(configJson, where);
    }

    @Override
    public void checkAgainst(EncoderConfig config, TensorSource t) {
        ElectraConfig c = electra(config);
        ElectraConfig seen = fromShapes(t, c.numAttentionHeads());
        String[][] pairs = {
                {"vocab_size", "" + c.vocabSize(), "" + seen.vocabSize()},
                {"embedding_size", "" + c.embeddingSize(), "" + seen.embeddingSize()},
                {"hidden_size", "" + c.hiddenSize(), "" + seen.hiddenSize()},
                {"num_hidden_layers", "" + c.numHiddenLayers(), "" + seen.numHiddenLayers()},
                {"intermediate_size", "" + c.encoder().intermediateSize(), "" + seen.encoder().intermediateSize()},
                {"max_position_embeddings", "" + c.maxPositionEmbeddings(), "" + seen.maxPositionEmbeddings()},
                {"type_vocab_size", "" + c.encoder().typeVocabSize(), "" + seen.encoder().typeVocabSize()}};
        FamilyChecks.sameSizes(t, pairs);
    }

    @Override
    public void checkVocabulary(int vocabSize, Path vocabFile, TensorSource t) {
        FamilyChecks.vocabularyFits(vocabSize, vocabFile, t, FamilyChecks.basePrefix(t, "electra") + ".embeddings.word_embeddings.weight", "ELECTRA");
    }

    /** ELECTRA checkpoints carry config.json; from shapes alone the head count follows 64-wide heads. */
    @Override
    public ElectraConfig inferConfig(TensorSource t) {
        return fromShapes(t, 0);
    }

    private static ElectraConfig fromShapes(TensorSource t, int heads) {
        String base = FamilyChecks.basePrefix(t, "electra");
        TensorInfo word = require(t, base + ".embeddings.word_embeddings.weight");
        TensorInfo pos = require(t, base + ".embeddings.position_embeddings.weight");
        TensorInfo type = require(t, base + ".embeddings.token_type_embeddings.weight");
        TensorInfo query = require(t, base + ".encoder.layer.0.attention.self.query.weight");
        TensorInfo inter = require(t, base + ".encoder.layer.0.intermediate.dense.weight");
        int hidden = query.shape()[0];
        if (heads <= 0) heads = Math.max(1, hidden / 64);
        BertConfig encoder = new BertConfig(word.shape()[0], hidden, BertFamily.layers(t, base + ".encoder.layer.", ".attention.self.query.weight"),
                heads, inter.shape()[0], "gelu", pos.shape()[0], type.shape()[0], 1e-12, 0);
        return new ElectraConfig(encoder, word.shape()[1]);
    }

    private static TensorInfo require(TensorSource t, String name) {
        return FamilyChecks.require(t, name, "ELECTRA");
    }
}
