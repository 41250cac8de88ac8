package dev.mlm4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlm4j.config.DistilBertConfig;
import dev.mlm4j.config.EncoderConfig;
import dev.mlm4j.weights.TensorInfo;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.WeightException;
import dev.mlm4j.weights.Weights;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * DistilBERT (Sanh et al., 2019), as transformers' {@code modeling_distilbert}: config {@link DistilBertConfig},
 * tensors under {@code distilbert.*} (and {@code vocab_*} for the MLM head), two models: {@code DistilBertModel} and
 * {@code DistilBertForMaskedLM}. Its tokenizer is BERT's WordPiece (its tokenizer.json/vocab.txt), without token types.
 */
public final class DistilBertFamily implements EncoderFamily {

    private static final String WORDS = "distilbert.embeddings.word_embeddings.weight";

    private static final List<Head<?>> HEADS = List.of(
            new Head<>("DistilBertModel", Task.ENCODER, t -> true,
                    (t, c, p) -> new DistilBertModel(new Weights(t).prefix("distilbert"), distilbert(c), p)),
            new Head<>("DistilBertForMaskedLM", Task.MASKED_LM, DistilBertForMaskedLM::hasHead,
                    (t, c, p) -> DistilBertForMaskedLM.load(t, distilbert(c), p)));

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
        FamilyChecks.vocabularyFits(vocabSize, vocabFile, t, WORDS, "DistilBERT");
    }

    /** DistilBERT checkpoints always carry config.json; from shapes alone the head count follows 64-wide heads. */
    @Override
    public DistilBertConfig inferConfig(TensorSource t) {
        return fromShapes(t, 0);
    }

    private static final Pattern LAYER = Pattern.compile("distilbert\\.transformer\\.layer\\.(\\d+)\\.attention\\.q_lin\\.weight");

    private static DistilBertConfig fromShapes(TensorSource t, int heads) {
        TensorInfo word = require(t, WORDS);
        TensorInfo pos = require(t, "distilbert.embeddings.position_embeddings.weight");
        TensorInfo lin1 = require(t, "distilbert.transformer.layer.0.ffn.lin1.weight");
        int layers = 0;
        for (String name : t.names()) {
            Matcher m = LAYER.matcher(name);
            if (m.matches()) layers = Math.max(layers, Integer.parseInt(m.group(1)) + 1);
        }
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
