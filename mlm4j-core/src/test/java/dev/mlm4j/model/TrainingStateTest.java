package dev.mlm4j.model;

import dev.mlm4j.config.Batch;
import dev.mlm4j.config.BertConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The training state's size (issue 18): with the attention backward recomputing its tiles (FlashAttention's backward)
 * no (len, len) probability matrix is saved, so a step's activations depend on the batch's tokens, not on how they
 * are split into sequences. bert-base at 8 × 128: 611 MB saved (before the recomputation, the probabilities added
 * 12 layers × 8 × 12 heads × 128² floats = 75.5 MB less the 0.6 MB of log-sum-exps now kept: 686 MB in all).
 */
class TrainingStateTest {
    private static final BertConfig BERT_BASE = new BertConfig(30522, 768, 12, 12, 3072, "gelu", 512, 2, 1e-12, 0);

    private static Batch batch(int sequences, int length) {
        int[][] ids = new int[sequences][length], types = new int[sequences][length];
        return Batch.of(ids, types);
    }

    @Test
    void activationsAreLinearInTokensWithNoAttentionMatrix() {
        long t = 8 * 128, h = 768, i = 3072, heads = 12, layers = 12;
        long perLayer = t * (3 * h + heads + 4 * h + 2 * i);                  // qkv, lse, ctx, attnSum, attn, outSum, interPre, inter
        long expected = 4 * ((layers + 2) * t * h + layers * perLayer);       // embedding sum + 13 hidden states + layers
        long bytes = new TrainingState(batch(8, 128), BERT_BASE).activationBytes();
        assertEquals(expected, bytes);
        assertEquals(610_861_056L, bytes, "bert-base 8 × 128");
        assertEquals(bytes, new TrainingState(batch(2, 512), BERT_BASE).activationBytes(), "the same tokens in longer sequences: the same bytes");
        long savedProbabilities = 4 * layers * 8 * heads * 128 * 128;         // what the exact backward kept before
        assertEquals(75_497_472L, savedProbabilities);
    }
}
