package dev.mlm4j.eval;

import dev.mlm4j.attention.AttentionMask;

import java.util.List;

/**
 * What the masked-LM evaluation asks of a model: how likely the hidden (or next) token is, and where it ranks.
 * {@link EvalModel} answers with BERT; tests answer with a scorer of known probabilities.
 */
public interface MaskedTokenScorer {

    /**
     * One prediction to make: the LM head's logits at token {@code row} of {@code ids} (with [CLS]/[SEP] where the
     * condition puts them) score {@code target}. For a masked LM {@code ids} holds one [MASK] at {@code row}, where
     * {@code target} was; for a causal LM's next-token query {@code row} is the last token and {@code target} the next.
     */
    record Query(int[] ids, int row, int target) {}

    /**
     * @param logProb natural log of the model's probability of the target at the mask
     * @param rank    1 + the number of vocabulary tokens scored strictly higher than the target (1 = top-1)
     */
    record Score(double logProb, int rank) {}

    /** One score per query, in order; every query runs with the given attention direction. */
    Score[] score(List<Query> queries, AttentionMask.Direction direction);
}
