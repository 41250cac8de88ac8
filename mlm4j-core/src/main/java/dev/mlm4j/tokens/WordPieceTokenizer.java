package dev.mlm4j.tokens;

import dev.mlm4j.tokens.AddedVocabulary.AddedToken;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The BERT WordPiece tokenizer, token for token what Hugging Face's {@code tokenizers} library (the "fast"
 * {@code BertTokenizerFast}) produces — ids, offsets, type ids — from a {@code vocab.txt} or a
 * {@code tokenizer.json}.
 *
 * <p>The pipeline, in Hugging Face's order:
 * <ol>
 *   <li>{@code AddedVocabulary}: literal special tokens ({@code [MASK]}, {@code [SEP]}, …) are cut out of the
 *       original text first, so they are never lower-cased or split;</li>
 *   <li>{@code BertNormalizer}: clean text, isolate CJK ideographs, strip accents, lower-case (uncased models);</li>
 *   <li>{@code BertPreTokenizer}: split on whitespace and punctuation;</li>
 *   <li>{@code WordPiece}: greedy longest-match-first pieces, "##" inside words, [UNK] for the rest;</li>
 *   <li>truncation (longest first for pairs) and the {@code Template} adding [CLS]/[SEP] and type ids.</li>
 * </ol>
 * Offsets are UTF-16 indices into the caller's original string, whatever normalization did to lengths.
 * Instances are immutable and thread-safe.
 */
public final class WordPieceTokenizer extends VocabularyTokenizer {

    /** BERT's position limit, used when a tokenizer declares no maximum of its own. */
    public static final int DEFAULT_MAX_LENGTH = 512;

    private static final String[] BERT_SPECIALS = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};

    private final WordPiece model;
    private final BertNormalizer normalizer;  // null: text goes to the pre-tokenizer unchanged
    private final AddedVocabulary added;
    private final Template template;
    private final String decoderPrefix;       // null: no WordPiece decoder, tokens joined with spaces
    private final boolean decoderCleanup;
    private final int maxLength;

    WordPieceTokenizer(WordPiece model, BertNormalizer normalizer, List<AddedToken> addedTokens, Template template,
                       String decoderPrefix, boolean decoderCleanup, int maxLength, int declaredPadId) {
        Vocabulary v = Vocabulary.of(model.idToToken, addedTokens, model.vocab::get);
        Set<String> specialContents = new HashSet<>();
        for (AddedToken t : addedTokens) {
            if (t.special()) {
                specialContents.add(t.content());
            }
        }
        String[] idToToken = v.idToToken();
        boolean[] special = new boolean[idToToken.length];
        for (int i = 0; i < idToToken.length; i++) {
            special[i] = idToToken[i] != null && specialContents.contains(idToToken[i]);
        }
        int cls = template.firstSpecialId();
        int sep = template.lastSpecialId();
        super(v, special, cls >= 0 ? cls : v.id("[CLS]"), sep >= 0 ? sep : v.id("[SEP]"),
                declaredPadId >= 0 ? declaredPadId : v.id("[PAD]"), v.id("[MASK]"));
        this.model = model;
        this.normalizer = normalizer;
        this.added = new AddedVocabulary(addedTokens, normalizer);
        this.template = template;
        this.decoderPrefix = decoderPrefix;
        this.decoderCleanup = decoderCleanup;
        this.maxLength = maxLength;
    }

    // ---------------------------------------------------------------- factories

    /**
     * A tokenizer from a BERT {@code vocab.txt} (one token per line, the line number is the id), configured as
     * transformers' {@code BertTokenizerFast(vocab_file, do_lower_case=lowerCase)}: BertNormalizer with
     * strip_accents following lowerCase, WordPiece with [UNK], "##" and 100 characters per word,
     * [CLS] … [SEP] templates, and [PAD], [UNK], [CLS], [SEP], [MASK] as special tokens.
     */
    public static WordPieceTokenizer fromVocab(Path vocabTxt, boolean lowerCase) throws IOException {
        try (InputStream in = Files.newInputStream(vocabTxt)) {
            return fromVocab(in, lowerCase);
        }
    }

    /** As {@link #fromVocab(Path, boolean)}, reading UTF-8 lines from a stream (not closed). */
    public static WordPieceTokenizer fromVocab(InputStream vocabTxt, boolean lowerCase) throws IOException {
        return fromVocab(vocabTxt, BertNormalizer.forLowerCase(lowerCase));
    }

    /** As {@link #fromVocab(InputStream, boolean)} with the given normalizer (tokenizer_config.json's options). */
    static WordPieceTokenizer fromVocab(InputStream vocabTxt, BertNormalizer normalizer) throws IOException {
        Objects.requireNonNull(vocabTxt, "vocabTxt");
        List<String> lines = new ArrayList<>();
        BufferedReader r = new BufferedReader(new InputStreamReader(vocabTxt, StandardCharsets.UTF_8));
        for (String line; (line = r.readLine()) != null; ) {
            lines.add(line);
        }
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("vocab.txt is empty");
        }
        Map<String, Integer> vocab = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            vocab.put(lines.get(i), i);  // a repeated line keeps its last id, as in transformers' load_vocab
        }
        WordPiece model = new WordPiece(new VocabTable(vocab), lines.toArray(String[]::new), "[UNK]", "##", 100);
        List<AddedToken> specials = new ArrayList<>();
        for (String s : BERT_SPECIALS) {
            Integer id = vocab.get(s);
            if (id != null) {
                specials.add(AddedToken.special(id, s));
            }
        }
        for (String s : new String[] {"[CLS]", "[SEP]"}) {
            if (!vocab.containsKey(s)) {
                throw new IllegalArgumentException("vocab.txt has no " + s + " token: not a BERT vocabulary");
            }
        }
        Template template = Template.bert(vocab.get("[CLS]"), "[CLS]", vocab.get("[SEP]"), "[SEP]");
        return new WordPieceTokenizer(model, normalizer, specials, template, "##", true, DEFAULT_MAX_LENGTH, -1);
    }

    /**
     * A tokenizer from a Hugging Face {@code tokenizer.json} with a WordPiece model (BERT, MiniLM, BGE, …):
     * normalizer, pre-tokenizer, post-processor, added tokens, decoder and the declared truncation length are
     * read from the file. Anything else (BPE, Unigram, other normalizers, …) is refused with an
     * {@link IllegalArgumentException} naming what was found.
     */
    public static WordPieceTokenizer fromTokenizerJson(Path tokenizerJson) throws IOException {
        try (InputStream in = Files.newInputStream(tokenizerJson)) {
            return TokenizerJson.read(in, tokenizerJson.toString());
        }
    }

    /** As {@link #fromTokenizerJson(Path)}, from a stream (not closed). */
    public static WordPieceTokenizer fromTokenizerJson(InputStream tokenizerJson) throws IOException {
        return TokenizerJson.read(Objects.requireNonNull(tokenizerJson, "tokenizerJson"), "tokenizer.json stream");
    }

    // ---------------------------------------------------------------- encoding

    @Override
    Encoding finish(TokenList a, TokenList b, int maxLength, boolean truncate) {
        return template.encode(a, b, maxLength, truncate);
    }

    /** The maximum length declared by the tokenizer.json's truncation, else {@value #DEFAULT_MAX_LENGTH}. */
    @Override
    public int maxLength() {
        return maxLength;
    }

    /** Added tokens, normalizer ({@link AddedVocabulary#walk}), then pre-tokenizer and WordPiece over one text. */
    @Override
    TokenList tokenizeToList(String text) {
        TokenList out = new TokenList();
        added.walk(AlignedText.of(text), normalizer, new AddedVocabulary.Pieces() {
            private final IntList words = new IntList();
            private final WordPiece.Scratch scratch = new WordPiece.Scratch();

            /** An added token is the text it matched, wherever it matched. */
            @Override
            public void added(AddedToken token, AlignedText in, int from, int to, boolean inRaw) {
                out.nextWord();
                out.add(token.id(), in.substring(from, to), in.start[from], in.end[to - 1]);
            }

            @Override
            public void text(AlignedText norm, int from, int to) {
                words.clear();
                BertPreTokenizer.split(norm, from, to, words);
                for (int w = 0; w < words.size; w += 2) {
                    out.nextWord();
                    model.tokenize(norm, words.get(w), words.get(w + 1), scratch, out);
                }
            }
        });
        return out;
    }

    // ---------------------------------------------------------------- decoding

    /**
     * Ids back to text as transformers' {@code decode} does for BERT: tokens joined with spaces, "##" pieces
     * glued to the previous one, then {@code clean_up_tokenization} (no space before . , ? ! and in
     * {@code n't 'm 's 've 're}, " ' " → "'") if the tokenizer's decoder asks for clean-up (BERT's does).
     */
    @Override
    public String decode(int[] ids, boolean skipSpecial) {
        return decode(ids, skipSpecial, decoderCleanup);
    }

    /**
     * As {@link #decode(int[], boolean)}; {@code cleanUpSpaces=false} gives the bare join (Hugging Face's
     * WordPiece decoder with {@code cleanup: false}).
     *
     * @throws IllegalArgumentException for an id outside the vocabulary
     */
    public String decode(int[] ids, boolean skipSpecial, boolean cleanUpSpaces) {
        Objects.requireNonNull(ids, "ids to decode are null");
        StringBuilder sb = new StringBuilder(ids.length * 6);
        boolean first = true;
        for (int id : ids) {
            String t = token(id);
            if (skipSpecial && isSpecial(id)) {
                continue;
            }
            if (!first) {
                if (decoderPrefix != null && t.startsWith(decoderPrefix)) {
                    t = t.substring(decoderPrefix.length());
                } else {
                    sb.append(' ');
                }
            }
            sb.append(t);
            first = false;
        }
        String s = sb.toString();
        return cleanUpSpaces ? cleanUpTokenization(s) : s;
    }

    /** transformers' {@code PreTrainedTokenizerBase.clean_up_tokenization}, replacement for replacement. */
    static String cleanUpTokenization(String s) {
        return s.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",")
                .replace(" ' ", "'").replace(" n't", "n't").replace(" 'm", "'m").replace(" 's", "'s")
                .replace(" 've", "'ve").replace(" 're", "'re");
    }

    // ---------------------------------------------------------------- vocabulary

    @Override
    public int unkId() {
        return model.unkId;
    }

    @Override
    public boolean lowerCase() {
        return normalizer != null && normalizer.lowercase();
    }

    @Override
    public String toString() {
        return "WordPieceTokenizer[vocab=" + vocabSize() + ", normalizer=" + normalizer + ", maxLength=" + maxLength
                + "]";
    }
}
