package dev.mlm4j.model;

import dev.mlm4j.heads.RobertaLMHead;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.TensorSource;

/**
 * transformers' {@code RobertaForMaskedLM} / {@code XLMRobertaForMaskedLM}: {@link RobertaModel} (keys {@code roberta.*})
 * and {@link RobertaLMHead} ({@code lm_head.*}), and ELECTRA's generator {@code ElectraForMaskedLM}
 * ({@link ElectraModel} and {@code generator_predictions}/{@code generator_lm_head}: the same computation).
 */
public final class RobertaForMaskedLM implements MaskedLanguageModel {
    private final Encoder encoder;
    private final RobertaLMHead head;

    RobertaForMaskedLM(Encoder encoder, RobertaLMHead head) {
        this.encoder = encoder;
        this.head = head;
    }

    /** Whether a checkpoint carries RoBERTa's MLM head: any {@code lm_head.*} tensor (a missing one is then named at load). */
    public static boolean hasHead(TensorSource source) {
        return source.containsAnyUnder("lm_head.");
    }

    @Override
    public Encoder encoder() {
        return encoder;
    }

    @Override
    public int vocabSize() {
        return head.vocabSize();
    }

    @Override
    public FloatTensor logits(EncoderOutput output, int[] rows) {
        return head.forward(Kernels.get(), output.lastHiddenRows(rows));
    }
}
