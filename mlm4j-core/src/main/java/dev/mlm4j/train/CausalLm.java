package dev.mlm4j.train;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.CrossEntropy;
import dev.mlm4j.layers.Dropout;
import dev.mlm4j.model.TrainableMaskedLM;
import dev.mlm4j.model.Trainable;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;

/**
 * The causal-LM objective on a masked-LM model: the same weights under the causal attention mask (token t sees
 * tokens ≤ t), each token predicting the next one of its sequence, as transformers' {@code BertLMHeadModel} with
 * {@code is_decoder=True} does (it shifts {@code labels = input_ids} itself). The labels this model takes are already
 * shifted: {@link #nextTokens(Batch)}.
 */
public record CausalLm(TrainableMaskedLM<?> model) implements Trainable {
    @Override
    public Parameters parameters() {
        return model.parameters();
    }

    /** @param labels (T) per packed row: the next token of its sequence, or −100 (a sequence's last row) */
    @Override
    public double lossAndGradients(Kernels k, Batch batch, int[] labels, Gradients g, Dropout dropout) {
        return model.lossAndGradients(k, batch, labels, g, AttentionMask.CAUSAL, dropout);
    }

    /** Per packed row, the id of the next token of the same sequence; −100 on each sequence's last row. */
    public static int[] nextTokens(Batch batch) {
        int[] ids = batch.ids(), labels = new int[ids.length];
        for (int s = 0; s < batch.size(); s++) {
            int from = batch.offset(s), to = from + batch.length(s);
            for (int i = from; i < to - 1; i++) labels[i] = ids[i + 1];
            labels[to - 1] = CrossEntropy.IGNORE_INDEX;
        }
        return labels;
    }
}
