package dev.mlm4j.tokens;

/**
 * One of Hugging Face's normalizers ({@code tokenizers/src/normalizers/}): rewrites text while every output code
 * point keeps the original range of the character it came from (see {@link AlignedText}).
 */
interface Normalizer {

    /** Appends the normalized form of {@code in[from, to)} to {@code out}. */
    void normalize(AlignedText in, int from, int to, AlignedText out);

    /** The normalized form of a whole string (used for added tokens declared {@code normalized}). */
    default String normalize(String text) {
        AlignedText in = AlignedText.of(text);
        AlignedText out = new AlignedText(in.length);
        normalize(in, 0, in.length, out);
        return out.toString();
    }
}
