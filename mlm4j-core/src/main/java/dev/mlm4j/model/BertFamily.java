package dev.mlm4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.config.EncoderConfig;
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
 * BERT (Devlin et al., 2019), as transformers' {@code modeling_bert}: config {@link BertConfig}, tensors under
 * {@code bert.*} and {@code cls.*}: {@code BertModel} (with its pooler when the checkpoint has one),
 * {@code BertForMaskedLM} (no pooler, as in transformers), {@code BertLMHeadModel} (the same weights as a causal LM,
 * config.json's {@code is_decoder} true) and the task heads. TensorFlow checkpoints and ONNX files carry no
 * config.json and are BERT.
 */
public final class BertFamily implements EncoderFamily {
    /** transformers' causal LM on BERT ({@code is_decoder: true}), which {@code ./mlm4j train clm} writes. */
    public static final String CAUSAL_LM = "BertLMHeadModel";

    private static final List<Head<?>> HEADS = List.of(
            new Head<>("BertModel", Task.ENCODER, t -> true,
                    (t, c, p) -> new BertModel(new Weights(t).prefix("bert"), bert(c), p)),
            new Head<>("BertForMaskedLM", Task.MASKED_LM, BertForMaskedLM::hasHead,
                    (t, c, p) -> BertForMaskedLM.load(t, bert(c), p)),
            // transformers' causal LM: BertForMaskedLM's weights (cls.predictions.*) under config.json's is_decoder, which
            // makes every layer causal (BertModel); its logits at row t predict token t + 1
            new Head<>(CAUSAL_LM, Task.MASKED_LM, BertForMaskedLM::hasHead,
                    (t, c, p) -> BertForMaskedLM.load(t, bert(c), p)),
            new Head<>("BertForSequenceClassification", Task.SEQUENCE_CLASSIFICATION, BertForSequenceClassification::hasHead,
                    (t, c, p) -> BertForSequenceClassification.load(t, bert(c), p)),
            new Head<>("BertForTokenClassification", Task.TOKEN_CLASSIFICATION, BertForTokenClassification::hasHead,
                    (t, c, p) -> BertForTokenClassification.load(t, bert(c), p)),
            new Head<>("BertForQuestionAnswering", Task.QUESTION_ANSWERING, BertForQuestionAnswering::hasHead,
                    (t, c, p) -> BertForQuestionAnswering.load(t, bert(c), p)));

    /** BertForSequenceClassification: {@code classifier} and the pooler (drawn in that order; the caller keeps an encoder's own pooler); BertForTokenClassification: {@code classifier}. */
    @Override
    public Map<String, int[]> newHead(Task<?> task, int hidden, int labels) {
        Map<String, int[]> t = new LinkedHashMap<>();
        if (task.equals(Task.SEQUENCE_CLASSIFICATION) || task.equals(Task.TOKEN_CLASSIFICATION)) EncoderFamily.linear(t, "classifier", hidden, labels);
        if (task.equals(Task.SEQUENCE_CLASSIFICATION)) EncoderFamily.linear(t, "bert.pooler.dense", hidden, hidden);
        return t;
    }

    @Override
    public String modelType() {
        return "bert";
    }

    @Override
    public List<Head<?>> heads() {
        return HEADS;
    }

    /** {@link BertConfig#fromJson}, with its checks of the values mlm4j implements ({@link BertConfig#IMPLEMENTED}). */
    @Override
    public BertConfig readConfig(JsonNode configJson, String where) {
        return BertConfig.fromJson(configJson, where);
    }

    private static BertConfig bert(EncoderConfig c) {
        if (c instanceof BertConfig b) return b;
        throw new IllegalArgumentException("a BERT model needs a BERT config, not " + c);
    }

    /** A config.json whose sizes disagree with the weights is an error here, not a wrong answer later. */
    @Override
    public void checkAgainst(EncoderConfig config, TensorSource t) {
        checkAgainst(bert(config), t, "bert");
    }

    /** {@link #checkAgainst} for a family with BERT's layers and keys under {@code prefix} (RoBERTa: {@code roberta}). */
    static void checkAgainst(BertConfig c, TensorSource t, String prefix) {
        BertConfig seen = inferConfig(t, c.numAttentionHeads(), prefix);
        String[][] pairs = {
                {"vocab_size", "" + c.vocabSize(), "" + seen.vocabSize()},
                {"hidden_size", "" + c.hiddenSize(), "" + seen.hiddenSize()},
                {"num_hidden_layers", "" + c.numHiddenLayers(), "" + seen.numHiddenLayers()},
                {"intermediate_size", "" + c.intermediateSize(), "" + seen.intermediateSize()},
                {"max_position_embeddings", "" + c.maxPositionEmbeddings(), "" + seen.maxPositionEmbeddings()},
                {"type_vocab_size", "" + c.typeVocabSize(), "" + seen.typeVocabSize()}};
        FamilyChecks.sameSizes(t, pairs);
    }

    /**
     * The tokenizer's vocabulary and the word-embedding table must have exactly as many entries: a shorter vocabulary
     * (a cut vocab.txt) maps words to the wrong rows, a longer one yields ids past the table's end.
     */
    @Override
    public void checkVocabulary(int vocabSize, Path vocabFile, TensorSource t) {
        FamilyChecks.vocabularyFits(vocabSize, vocabFile, t, "bert.embeddings.word_embeddings.weight", "BERT");
    }

    /**
     * A checkpoint without config.json (Google's TF BERTs): sizes come from the tensors' shapes; the head
     * count cannot be seen in shapes and follows BERT's convention of 64-wide heads.
     */
    @Override
    public BertConfig inferConfig(TensorSource t) {
        return inferConfig(t, 0);
    }

    /** As {@link #inferConfig(TensorSource)} with a known head count ({@code heads} ≤ 0: BERT's 64-wide heads). */
    static BertConfig inferConfig(TensorSource t, int heads) {
        return inferConfig(t, heads, "bert");
    }

    /** As {@link #inferConfig(TensorSource, int)} for BERT's layers under {@code prefix}. */
    static BertConfig inferConfig(TensorSource t, int heads, String prefix) {
        TensorInfo word = require(t, prefix + ".embeddings.word_embeddings.weight");
        TensorInfo pos = require(t, prefix + ".embeddings.position_embeddings.weight");
        TensorInfo type = require(t, prefix + ".embeddings.token_type_embeddings.weight");
        TensorInfo inter = require(t, prefix + ".encoder.layer.0.intermediate.dense.weight");
        int layers = layers(t, prefix + ".encoder.layer.", ".attention.self.query.weight");
        int hidden = word.shape()[1];
        if (heads <= 0) {
            if (hidden % 64 != 0) {
                throw new WeightException(t.origin() + ": hidden size " + hidden + " is not a multiple of 64 and there is no config.json to give the head count");
            }
            heads = hidden / 64;
        }
        return new BertConfig(word.shape()[0], hidden, layers, heads, inter.shape()[0], "gelu",
                pos.shape()[0], type.shape()[0], 1e-12, 0);
    }

    /** How many layers {@code <prefix>N<leaf>} the checkpoint holds: the largest N + 1. */
    static int layers(TensorSource t, String prefix, String leaf) {
        Pattern layer = Pattern.compile(Pattern.quote(prefix) + "(\\d+)" + Pattern.quote(leaf));
        int layers = 0;
        for (String name : t.names()) {
            Matcher m = layer.matcher(name);
            if (m.matches()) layers = Math.max(layers, Integer.parseInt(m.group(1)) + 1);
        }
        return layers;
    }

    private static TensorInfo require(TensorSource t, String name) {
        return FamilyChecks.require(t, name, "BERT");
    }
}
