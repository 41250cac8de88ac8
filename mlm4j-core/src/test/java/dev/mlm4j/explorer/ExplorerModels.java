package dev.mlm4j.explorer;

import dev.mlm4j.model.BertForMaskedLM;
import dev.mlm4j.model.TestModels;
import dev.mlm4j.tokens.Tokenizer;
import dev.mlm4j.model.Checkpoint;
import dev.mlm4j.weights.TensorSource;

/** The real bert-base-uncased (through the hub, as users get it), loaded once for all explorer tests. */
final class ExplorerModels {
    private ExplorerModels() {}

    private static Checkpoint checkpoint;
    private static BertForMaskedLM model;

    private static synchronized Checkpoint checkpoint() {
        if (checkpoint == null) checkpoint = TestModels.checkpoint("bert-base-uncased");
        return checkpoint;
    }

    static TensorSource tensors() {
        return checkpoint().tensors();
    }

    static synchronized BertForMaskedLM bertBaseUncased() {
        if (model == null) model = (BertForMaskedLM) checkpoint().load(dev.mlm4j.model.Task.MASKED_LM).orElseThrow();
        return model;
    }

    static Tokenizer uncasedTokenizer() {
        return checkpoint().tokenizer();
    }
}
