package dev.mlm4j.train;

import dev.mlm4j.layers.CrossEntropy;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * BERT's masked-language-model corruption, as transformers' {@code DataCollatorForLanguageModeling}: each token that
 * the tokenizer did not add is chosen with probability {@code probability} (15 %); a chosen token is labelled with its
 * id and replaced by [MASK] 80 % of the time, by a token drawn uniformly from the whole vocabulary 10 %, and left
 * unchanged 10 %; every other token is labelled {@link CrossEntropy#IGNORE_INDEX}. With whole-word masking
 * ({@code DataCollatorForWholeWordMask}'s grouping) the choice is made per word: a word's pieces ("##" continuations,
 * {@link Sequence#wordStart()}) are chosen together, then each chosen piece is replaced 80/10/10 on its own.
 * All randomness comes from the generator passed in, so a seed fixes the masks.
 */
public record Masking(int maskId, int vocabSize, double probability, boolean wholeWord) {
    public Masking {
        if (!(probability > 0 && probability < 1)) throw new IllegalArgumentException("masking probability " + probability + " is not in (0, 1)");
        if (vocabSize <= 0 || maskId < 0 || maskId >= vocabSize) throw new IllegalArgumentException("[MASK] id " + maskId + " outside a vocabulary of " + vocabSize);
    }

    /** 15 %, per token. */
    public static Masking bert(int maskId, int vocabSize) {
        return new Masking(maskId, vocabSize, 0.15, false);
    }

    public Masking withWholeWord(boolean wholeWord) {
        return new Masking(maskId, vocabSize, probability, wholeWord);
    }

    /** The corrupted ids and the labels of one sequence. */
    public record Masked(int[] ids, int[] labels) {}

    public Masked apply(Sequence s, SplittableRandom random) {
        int n = s.length();
        int[] ids = s.ids().clone(), labels = new int[n];
        Arrays.fill(labels, CrossEntropy.IGNORE_INDEX);
        boolean chosen = false;
        for (int i = 0; i < n; i++) {
            if (s.special()[i]) continue;
            if (!wholeWord || s.wordStart()[i] || i == 0 || s.special()[i - 1]) chosen = random.nextDouble() < probability;
            if (!chosen) continue;
            labels[i] = s.ids()[i];
            double r = random.nextDouble();
            if (r < 0.8) ids[i] = maskId;
            else if (r < 0.9) ids[i] = random.nextInt(vocabSize);
        }
        return new Masked(ids, labels);
    }
}
