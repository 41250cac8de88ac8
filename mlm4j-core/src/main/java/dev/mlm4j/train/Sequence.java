package dev.mlm4j.train;

/**
 * One tokenized training example, before an objective turns it into model inputs and labels.
 *
 * @param ids       vocabulary ids, [CLS] … [SEP] included
 * @param typeIds   segment ids (1 on the second text of a pair)
 * @param special   true for the tokens the tokenizer added ([CLS], [SEP]): never masked, never labelled
 * @param wordStart true where a new word begins (false on a "##" continuation piece): whole-word masking's groups
 * @param labels    per token (token classification: the tag on a word's first piece, −100 elsewhere), one per
 *                  sequence (classification, pairs), or null (MLM, CLM: the labels come from the ids)
 * @param line      the input line it came from (1-based), for messages
 */
public record Sequence(int[] ids, int[] typeIds, boolean[] special, boolean[] wordStart, int[] labels, int line) {
    public Sequence {
        if (ids.length != typeIds.length || ids.length != special.length || ids.length != wordStart.length) {
            throw new IllegalArgumentException("sequence arrays of different lengths");
        }
    }

    public int length() {
        return ids.length;
    }
}
