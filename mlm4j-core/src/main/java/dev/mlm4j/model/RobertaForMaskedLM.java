package dev.mlm4j.model;

import dev.mlm4j.heads.BertLMPredictionHead;
import dev.mlm4j.weights.TensorSource;

/**
 * transformers' {@code RobertaForMaskedLM} / {@code XLMRobertaForMaskedLM}: {@link RobertaModel} (keys {@code roberta.*})
 * and the {@code lm_head} ({@link BertLMPredictionHead#roberta}: LayerNorm(gelu(dense(h))) · Eᵀ + bias, the decoder
 * tied to the word embeddings). It trains as BERT's masked LM does ({@link TrainableMaskedLM}), its gradients under
 * transformers' names ({@code roberta.…}, {@code lm_head.…}).
 */
public final class RobertaForMaskedLM extends TrainableMaskedLM<RobertaModel> {

    RobertaForMaskedLM(RobertaModel roberta, BertLMPredictionHead head) {
        super(roberta, head, "lm_head");
    }

    /** Whether a checkpoint carries RoBERTa's MLM head: any {@code lm_head.*} tensor (a missing one is then named at load). */
    public static boolean hasHead(TensorSource source) {
        return source.containsAnyUnder("lm_head.");
    }
}
