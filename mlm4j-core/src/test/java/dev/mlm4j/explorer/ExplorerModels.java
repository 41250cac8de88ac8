package dev.mlm4j.explorer;

import dev.mlm4j.model.BertConfig;
import dev.mlm4j.model.BertForMaskedLM;
import dev.mlm4j.model.TestModels;
import dev.mlm4j.tokens.Tokenizer;
import dev.mlm4j.tokens.WordPieceTokenizer;
import dev.mlm4j.weights.TensorSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The real bert-base-uncased (checkpoint + vocabulary), loaded once for all explorer tests. */
final class ExplorerModels {
    private ExplorerModels() {}

    private static TensorSource source;
    private static BertForMaskedLM model;
    private static Tokenizer tokenizer;

    static synchronized TensorSource tensors() {
        if (source == null) source = TestModels.bertBaseUncasedTensors();
        return source;
    }

    static synchronized BertForMaskedLM bertBaseUncased() {
        if (model == null) model = BertForMaskedLM.load(tensors(), BertConfig.bertBase(30522));
        return model;
    }

    static synchronized Tokenizer uncasedTokenizer() {
        if (tokenizer == null) {
            try (InputStream in = ExplorerModels.class.getResourceAsStream("/tokens/vocab/bert-base-uncased-vocab.txt")) {
                if (in == null) throw new IllegalStateException("test resource /tokens/vocab/bert-base-uncased-vocab.txt is missing");
                tokenizer = WordPieceTokenizer.fromVocab(in, true);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return tokenizer;
    }
}
