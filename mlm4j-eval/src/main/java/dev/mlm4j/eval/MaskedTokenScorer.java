package dev.mlm4j.eval;

import dev.mlm4j.attention.AttentionMask;

import java.util.List;

/**
 * What the masked-LM evaluation asks of a model: how likely the hidden token is, and where it ranks.
 * {@link EvalModel} answers with BERT; tests answer with a scorer of known probabilities.
 */
public interface MaskedTokenScorer {

    /**
     * One prediction to make: {@code ids} (with [CLS]/[SEP] where the condition puts them) holds one [MASK] at
     * {@code maskIndex}; the token that was there is {@code target}.
     */
    record Query(int[] ids, int maskIndex, int target) {}

    /**
     * @param logProb natural log of the model's probability of the target at the mask
     * @param rank    1 + the number of vocabulary tokens scored strictly higher than the target (1 = top-1)
     */
    record Score(double logProb, int rank) {}

    /** One score per query, in order; every query runs with the given attention direction. */
    Score[] score(List<Query> queries, AttentionMask.Direction direction);
}
