package dev.mlm4j.train;

/**
 * One tokenized training example, before an objective turns it into model inputs and labels.
 *
 * @param ids       vocabulary ids, [CLS] … [SEP] included
 * @param typeIds   segment ids (1 on the second text of a pair)
 * @param special   true for the tokens the tokenizer added ([CLS], [SEP]): never masked, never labelled
 * @param wordStart true where a new word begins (false on a "##" continuation piece): whole-word masking's groups
 * @param labels    per token (token classification: the tag on a word's first piece, −100 elsewhere), one per
 *                  sequence (single-label classification, pairs), or null (MLM, CLM: the labels come from the ids;
 *                  regression and multi-label: {@code targets})
 * @param line      the input line it came from (1-based), for messages
 * @param targets   regression and multi-label classification: one float per label of the head (the values, or the
 *                  multi-hot row); null otherwise
 */
public record Sequence(int[] ids, int[] typeIds, boolean[] special, boolean[] wordStart, int[] labels, int line, float[] targets) {
    public Sequence {
        if (ids.length != typeIds.length || ids.length != special.length || ids.length != wordStart.length) {
            throw new IllegalArgumentException("sequence arrays of different lengths");
        }
    }

    /** Without float targets. */
    public Sequence(int[] ids, int[] typeIds, boolean[] special, boolean[] wordStart, int[] labels, int line) {
        this(ids, typeIds, special, wordStart, labels, line, null);
    }

    public int length() {
        return ids.length;
    }
}
