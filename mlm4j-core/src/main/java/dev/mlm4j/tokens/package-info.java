/**
 * Text → tokens: the BERT WordPiece tokenizer, faithful to Hugging Face's {@code tokenizers}.
 *
 * <p>{@link dev.mlm4j.tokens.WordPieceTokenizer} is the entry point ({@code fromVocab}, {@code fromTokenizerJson});
 * it runs, in Hugging Face's order, {@code AddedVocabulary} (literal special tokens) → {@code BertNormalizer} →
 * {@code BertPreTokenizer} → {@code WordPiece} → truncation → {@code Template} ([CLS]/[SEP], type ids), and
 * returns an {@link dev.mlm4j.tokens.Encoding} whose offsets index the caller's original string.
 * {@code TokenizerJson} is the only class that knows the tokenizer.json format.
 */
package dev.mlm4j.tokens;
