/**
 * Text → tokens: the BERT WordPiece tokenizer, faithful to Hugging Face's {@code tokenizers}.
 *
 * <p>{@link dev.mlm4j.tokens.WordPieceTokenizer} is the entry point ({@code fromVocab}, {@code fromTokenizerJson});
 * it runs, in Hugging Face's order, {@code AddedVocabulary} (literal special tokens) → {@code BertNormalizer} →
 * {@code BertPreTokenizer} → {@code WordPiece} → truncation → {@code Template} ([CLS]/[SEP], type ids), and
 * returns an {@link dev.mlm4j.tokens.Encoding} whose offsets index the caller's original string.
 * {@code TokenizerJson} is the only class that knows the tokenizer.json format; for any other pipeline a
 * tokenizer.json declares (byte-level BPE, SentencePiece Unigram, …) it builds a
 * {@link dev.mlm4j.tokens.PipelineTokenizer} from {@code Normalizers}, {@code PreTokenizer}, {@code Bpe} /
 * {@code Unigram} and the same {@code AddedVocabulary} and {@code Template}; {@link dev.mlm4j.tokens.Tokenizer#fromTokenizerJson}
 * reads either.
 */
package dev.mlm4j.tokens;
