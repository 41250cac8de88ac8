package dev.mlm4j.tokens;

/** Text → tokens for a BERT-family model. */
public interface Tokenizer {

    /**
     * The tokenizer a Hugging Face {@code tokenizer.json} declares: BERT's WordPiece pipeline, RoBERTa's byte-level
     * BPE, XLM-R's or DeBERTa-v3's SentencePiece Unigram, or another combination of the supported components
     * (docs/ARCHITECTURE.md lists them); an unsupported one is an {@link IllegalArgumentException} naming it.
     */
    static Tokenizer fromTokenizerJson(java.nio.file.Path tokenizerJson) throws java.io.IOException {
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(tokenizerJson)) {
            return TokenizerJson.load(in, tokenizerJson.toString());
        }
    }

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

    /**
     * The word of each token of {@code text} encoded alone, without special tokens (Hugging Face's {@code word_ids}):
     * the index of the pre-tokenizer's split it came from (BertPreTokenizer's words, ByteLevel's regex pieces,
     * Metaspace's ▁ words), an added token found in the text being a word of its own. The default, for a tokenizer
     * that does not know its splits, starts a word at every token that is not a WordPiece continuation ("##…").
     */
    default int[] wordIds(String text) {
        Encoding e = encode(text, Integer.MAX_VALUE, false);
        int[] word = new int[e.length()];
        int n = 0, w = -1;
        for (int i = 0; i < word.length; i++) {
            if (e.special()[i]) continue;
            if (w < 0 || !e.tokens()[i].startsWith("##")) w++;
            word[n++] = w;
        }
        return java.util.Arrays.copyOf(word, n);
    }

    /** Whether the tokenizer lower-cases (and strips accents), as the model was trained. */
    boolean lowerCase();
}
