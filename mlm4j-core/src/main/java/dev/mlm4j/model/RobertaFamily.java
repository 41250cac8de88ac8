package dev.mlm4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlm4j.config.EncoderConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.config.RobertaConfig;
import dev.mlm4j.heads.ClassificationHead;
import dev.mlm4j.heads.BertLMPredictionHead;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.Weights;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RoBERTa (Liu et al., 2019) and XLM-RoBERTa (Conneau et al., 2020), as transformers' {@code modeling_roberta} and
 * {@code modeling_xlm_roberta} (the same modules under two sets of names): config {@link RobertaConfig}, tensors under
 * {@code roberta.*} (a bare {@code RobertaModel}'s without the prefix) and the heads' own ({@code lm_head.*},
 * {@code classifier.*}, {@code qa_outputs.*}). Models: the encoder, the masked LM, sequence classification (dense, tanh,
 * out_proj on {@code <s>}), token classification and question answering, each registered under the family's names
 * ({@code RobertaForMaskedLM}, {@code XLMRobertaForMaskedLM}, …). Their tokenizer is the folder's tokenizer.json
 * (byte-level BPE for RoBERTa, Unigram for XLM-R), with {@code <mask>}.
 */
public final class RobertaFamily implements EncoderFamily {
    private final String modelType;
    private final int defaultVocab;
    private final List<Head<?>> heads;

    /** RoBERTa: {@code model_type} roberta, architectures {@code Roberta*}. */
    public static RobertaFamily roberta() {
        return new RobertaFamily("roberta", "Roberta", 50265);
    }

    /** XLM-RoBERTa: {@code model_type} xlm-roberta, architectures {@code XLMRoberta*}. */
    public static RobertaFamily xlmRoberta() {
        return new RobertaFamily("xlm-roberta", "XLMRoberta", 30522);
    }

    private RobertaFamily(String modelType, String names, int defaultVocab) {
        this.modelType = modelType;
        this.defaultVocab = defaultVocab;
        this.heads = List.of(
                new Head<>(names + "Model", Task.ENCODER, t -> true, RobertaFamily::model),
                new Head<>(names + "ForMaskedLM", Task.MASKED_LM, RobertaForMaskedLM::hasHead, (t, c, p) -> {
                    RobertaModel m = model(t, c, p);
                    return new RobertaForMaskedLM(m, BertLMPredictionHead.roberta(new Weights(t).prefix("lm_head"), roberta(c).bert(),
                            m.wordEmbeddings(), p));
                }),
                new Head<>(names + "ForSequenceClassification", Task.SEQUENCE_CLASSIFICATION, t -> t.containsAnyUnder("classifier.out_proj."),
                        (t, c, p) -> SequenceClassifierModel.load(t, model(t, c, p), "classifier.dense", ClassificationHead.Activation.TANH,
                                "classifier.out_proj")),
                new Head<>(names + "ForTokenClassification", Task.TOKEN_CLASSIFICATION, t -> t.contains("classifier.weight"),
                        (t, c, p) -> TokenClassifierModel.tokenClassifier(t, model(t, c, p))),
                new Head<>(names + "ForQuestionAnswering", Task.QUESTION_ANSWERING, t -> t.containsAnyUnder("qa_outputs."),
                        (t, c, p) -> TokenClassifierModel.questionAnswerer(t, model(t, c, p))));
    }

    private static RobertaModel model(TensorSource t, EncoderConfig c, Precision p) {
        return new RobertaModel(new Weights(t).prefix(FamilyChecks.basePrefix(t, "roberta")), roberta(c), p);
    }

    private static RobertaConfig roberta(EncoderConfig c) {
        if (c instanceof RobertaConfig r) return r;
        throw new IllegalArgumentException("a RoBERTa model needs a RoBERTa config, not " + c);
    }

    /** …ForSequenceClassification: {@code classifier.dense} and {@code classifier.out_proj}; …ForTokenClassification: {@code classifier}. */
    @Override
    public Map<String, int[]> newHead(Task<?> task, int hidden, int labels) {
        return classificationHead(task, hidden, labels);
    }

    /** {@link #newHead}'s tensors, which ELECTRA's heads share. */
    static Map<String, int[]> classificationHead(Task<?> task, int hidden, int labels) {
        Map<String, int[]> t = new LinkedHashMap<>();
        if (task.equals(Task.SEQUENCE_CLASSIFICATION)) {
            EncoderFamily.linear(t, "classifier.dense", hidden, hidden);
            EncoderFamily.linear(t, "classifier.out_proj", hidden, labels);
        }
        if (task.equals(Task.TOKEN_CLASSIFICATION)) EncoderFamily.linear(t, "classifier", hidden, labels);
        return t;
    }

    @Override
    public String modelType() {
        return modelType;
    }

    @Override
    public List<Head<?>> heads() {
        return heads;
    }

    @Override
    public RobertaConfig readConfig(JsonNode configJson, String where) {
        return RobertaConfig.fromJson(configJson, where, modelType, defaultVocab);
    }

    @Override
    public void checkAgainst(EncoderConfig config, TensorSource t) {
        BertFamily.checkAgainst(roberta(config).bert(), t, FamilyChecks.basePrefix(t, "roberta"));
    }

    @Override
    public void checkVocabulary(int vocabSize, Path vocabFile, TensorSource t) {
        FamilyChecks.vocabularyFits(vocabSize, vocabFile, t, FamilyChecks.basePrefix(t, "roberta") + ".embeddings.word_embeddings.weight", "RoBERTa");
    }

    /** RoBERTa checkpoints carry config.json; from shapes alone: 64-wide heads and roberta-base's padding id 1. */
    @Override
    public RobertaConfig inferConfig(TensorSource t) {
        dev.mlm4j.config.BertConfig b = BertFamily.inferConfig(t, 0, FamilyChecks.basePrefix(t, "roberta"));
        return new RobertaConfig(modelType, new dev.mlm4j.config.BertConfig(b.vocabSize(), b.hiddenSize(), b.numHiddenLayers(),
                b.numAttentionHeads(), b.intermediateSize(), "gelu", b.maxPositionEmbeddings(), b.typeVocabSize(), 1e-5, 1));
    }
}
