package dev.mlm4j.model;

import dev.mlm4j.heads.RobertaLMHead;

/**
 * transformers' {@code ElectraForMaskedLM}, ELECTRA's generator: {@link ElectraModel} and the head
 * {@code generator_predictions} (dense hidden → embedding_size, GELU, LayerNorm) · {@code generator_lm_head}, RoBERTa's
 * computation ({@link RobertaLMHead}) from narrower parts. Inference only: ELECTRA has no backward pass in mlm4j.
 */
public final class ElectraForMaskedLM extends EncoderWithLMHead<ElectraModel> {

    ElectraForMaskedLM(ElectraModel encoder, RobertaLMHead head) {
        super(encoder, head);
    }
}
