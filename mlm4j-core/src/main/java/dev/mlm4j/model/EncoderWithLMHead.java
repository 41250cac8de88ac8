package dev.mlm4j.model;

import dev.mlm4j.heads.RobertaLMHead;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.tensor.FloatTensor;

/**
 * What the masked LMs of BERT, RoBERTa, ELECTRA's generator, DistilBERT, DeBERTa-v2 and ModernBERT share: an encoder and
 * the head LayerNorm(gelu(dense(h))) · Eᵀ + bias ({@link RobertaLMHead}). Each subclass stays transformers' class,
 * reading its own keys; {@link BertForMaskedLM} adds training on its {@code BertLMPredictionHead}.
 */
abstract class EncoderWithLMHead<E extends Encoder> implements MaskedLanguageModel {
    private final E encoder;
    private final RobertaLMHead head;

    EncoderWithLMHead(E encoder, RobertaLMHead head) {
        this.encoder = encoder;
        this.head = head;
    }

    @Override
    public E encoder() {
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
