package dev.mlm4j.tokens;

/** Text → tokens for a BERT-family model. */
public interface Tokenizer {

    /**
     * [CLS] text [SEP], truncated to {@code maxLength} tokens (special tokens included) when {@code truncate},
     * else an {@link IllegalArgumentException} saying how many tokens the text has.
     */
    Encoding encode(String text, int maxLength, boolean truncate);

    /** [CLS] text [SEP], truncated to {@link #maxLength()}. */
    default Encoding encode(String text) {
        return encode(text, maxLength(), true);
    }

    /** The length the tokenizer truncates to by default (its declared maximum, else BERT's 512). */
    default int maxLength() {
        return 512;
    }

    /** [CLS] a [SEP] b [SEP] with type ids 0…0 1…1; truncation takes from the longer text first. */
    Encoding encodePair(String a, String b, int maxLength, boolean truncate);

    /** Ids back to text: word pieces joined, special tokens dropped when {@code skipSpecial}. */
    String decode(int[] ids, boolean skipSpecial);

    /** The vocabulary string of an id. */
    String token(int id);

    /** The id of a vocabulary string, or −1. */
    int id(String token);

    int vocabSize();

    int clsId();

    int sepId();

    int padId();

    /** The id of the model's mask token ({@code [MASK]}, RoBERTa's {@code <mask>}), or −1 when it has none. */
    int maskId();

    /** The model's own mask token string ({@code [MASK]} for BERT, {@code <mask>} for RoBERTa/XLM-R), or null. */
    default String maskToken() {
        int id = maskId();
        return id < 0 ? null : token(id);
    }

    int unkId();

    /** Whether the tokenizer lower-cases (and strips accents), as the model was trained. */
    boolean lowerCase();
}
