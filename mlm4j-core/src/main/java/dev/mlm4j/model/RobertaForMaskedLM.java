package dev.mlm4j.model;

import dev.mlm4j.heads.RobertaLMHead;
import dev.mlm4j.weights.TensorSource;

/**
 * transformers' {@code RobertaForMaskedLM} / {@code XLMRobertaForMaskedLM}: {@link RobertaModel} (keys {@code roberta.*})
 * and {@link RobertaLMHead} ({@code lm_head.*}), and ELECTRA's generator {@code ElectraForMaskedLM}
 * ({@link ElectraModel} and {@code generator_predictions}/{@code generator_lm_head}: the same computation).
 */
public final class RobertaForMaskedLM extends EncoderWithLMHead<Encoder> {

    RobertaForMaskedLM(Encoder encoder, RobertaLMHead head) {
        super(encoder, head);
    }

    /** Whether a checkpoint carries RoBERTa's MLM head: any {@code lm_head.*} tensor (a missing one is then named at load). */
    public static boolean hasHead(TensorSource source) {
        return source.containsAnyUnder("lm_head.");
    }
}
