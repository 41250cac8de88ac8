package dev.mlm4j.tokens;

/**
 * A tokenized text (or text pair), ready for the model: one entry per token, including [CLS]/[SEP].
 *
 * @param ids           vocabulary ids
 * @param typeIds       segment ids (0 for the first text, 1 for the second of a pair)
 * @param tokens        the vocabulary strings (word pieces keep their "##")
 * @param start         character offset (UTF-16 index into the original text) where the token starts; −1 for special tokens
 * @param end           exclusive end offset; −1 for special tokens
 * @param special       true for [CLS], [SEP], [PAD] added by the tokenizer (not for a [MASK] the user wrote)
 * @param sequenceIds   which input a token came from: 0, 1, or −1 for added special tokens
 * @param truncated     whether tokens were dropped to fit the maximum length
 */
public record Encoding(int[] ids, int[] typeIds, String[] tokens, int[] start, int[] end, boolean[] special,
                       int[] sequenceIds, boolean truncated) {

    public int length() {
        return ids.length;
    }
}
