package dev.mlm4j.tokens;

import dev.mlm4j.tokens.AddedVocabulary.AddedToken;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A tokenizer built from what a {@code tokenizer.json} declares — RoBERTa's byte-level BPE, XLM-R's and
 * DeBERTa-v3's SentencePiece Unigram, or any other supported combination — running Hugging Face's pipeline in its
 * order: added tokens → normalizer → pre-tokenizer → model → truncation → offset trimming (ByteLevel) →
 * post-processor template. Offsets are UTF-16 indices into the caller's text. Immutable and thread-safe.
 */
public final class PipelineTokenizer extends VocabularyTokenizer {

    /** The decoders {@link #decode} knows: how tokens become text again. */
    record Decoder(String type, int replacement, String prependScheme, String prefix, boolean cleanup) {
    }

    private final Normalizer normalizer;    // null: none
    private final PreTokenizer preTokenizer;  // null: the whole text is one word
    private final Model model;
    private final AddedVocabulary added;
    private final Template template;
    private final Boolean trimOffsetsAddPrefixSpace;  // null: no ByteLevel offset trimming; else its add_prefix_space
    private final Decoder decoder;          // null: tokens joined with spaces
    private final int maxLength;
    private final boolean lowerCase;

    PipelineTokenizer(Normalizer normalizer, PreTokenizer preTokenizer, Model model, List<AddedToken> addedTokens,
                      Template template, Boolean trimOffsetsAddPrefixSpace, Decoder decoder, int maxLength,
                      int declaredPadId, boolean lowerCase) {
        Vocabulary v = Vocabulary.of(model.idToToken(), addedTokens, model::id);
        boolean[] special = new boolean[v.idToToken().length];
        int mask = -1;
        String maskContent = null;
        for (AddedToken t : addedTokens) {
            special[t.id()] = t.special();
            if (t.special() && (mask < 0 || isMaskName(t.content()) > isMaskName(maskContent))
                    && isMaskName(t.content()) > 0) {
                mask = t.id();
                maskContent = t.content();
            }
        }
        int cls = template.firstSpecialId();
        int sep = template.lastSpecialId();
        super(v, special, cls >= 0 ? cls : v.firstId("<s>", "[CLS]"), sep >= 0 ? sep : v.firstId("</s>", "[SEP]"),
                declaredPadId >= 0 ? declaredPadId : v.firstId("<pad>", "[PAD]"), mask);
        this.normalizer = normalizer;
        this.preTokenizer = preTokenizer;
        this.model = model;
        this.added = new AddedVocabulary(addedTokens, normalizer);
        this.template = template;
        this.trimOffsetsAddPrefixSpace = trimOffsetsAddPrefixSpace;
        this.decoder = decoder;
        this.maxLength = maxLength;
        this.lowerCase = lowerCase;
    }

    /** 2 for {@code <mask>} / {@code [MASK]}, 1 for another special token naming a mask, else 0. */
    private static int isMaskName(String content) {
        if (content.equals("<mask>") || content.equals("[MASK]")) {
            return 2;
        }
        return content.toLowerCase(java.util.Locale.ROOT).contains("mask") ? 1 : 0;
    }

    // ---------------------------------------------------------------- encoding

    /** The template's encoding; with ByteLevel offset trimming, truncated first and then trimmed (as Hugging Face post-processes). */
    @Override
    Encoding finish(TokenList a, TokenList b, int maxLength, boolean truncate) {
        if (trimOffsetsAddPrefixSpace == null) {
            return template.encode(a, b, maxLength, truncate);
        }
        // truncate first, then trim (Hugging Face post-processes the truncated encodings)
        Encoding probe = template.encode(a, b, maxLength, truncate);
        trimOffsets(a);
        if (b != null) {
            trimOffsets(b);
        }
        return template.apply(a, b, probe.truncated());
    }

    /**
     * ByteLevel's {@code process_offsets}: a token's offsets leave out the spaces (Ġ) it starts or ends with, except
     * the one space {@code add_prefix_space} put in front of the first token.
     */
    private void trimOffsets(TokenList t) {
        for (int i = 0; i < t.size; i++) {
            String token = t.tokens[i];
            int leading = 0;
            while (leading < token.length() && isSpace(token.charAt(leading))) {
                leading++;
            }
            int trailing = 0;
            while (trailing < token.length() && isSpace(token.charAt(token.length() - 1 - trailing))) {
                trailing++;
            }
            if (leading > 0) {
                boolean first = i == 0 || t.start[i] == 0;
                if (first && trimOffsetsAddPrefixSpace && leading == 1) {
                    leading = 0;
                }
                t.start[i] = Math.min(t.start[i] + leading, t.end[i]);
            }
            if (trailing > 0 && t.end[i] >= trailing) {
                t.end[i] = Math.max(t.end[i] - trailing, t.start[i]);
            }
        }
    }

    private static boolean isSpace(char c) {
        return c == ByteLevel.SPACE || CharClasses.isWhitespace(c);
    }

    /** Added tokens, normalizer ({@link AddedVocabulary#walk}), then the pre-tokenizer and the model over one text. */
    @Override
    TokenList tokenizeToList(String text) {
        TokenList out = new TokenList();
        added.walk(AlignedText.of(text), normalizer, new AddedVocabulary.Pieces() {
            /**
             * An added token is the text it matched, with the white space lstrip/rstrip took (" <mask>"), and those
             * offsets, as Hugging Face shows it; ByteLevel's offset trimming (RoBERTa) later leaves the spaces out.
             */
            @Override
            public void added(AddedToken t, AlignedText in, int from, int to, boolean inRaw) {
                out.nextWord();
                out.add(t.id(), in.substring(from, to), in.start[from], in.end[to - 1]);
            }

            /** The whole normalized piece as it is; a part of it as a new text whose shift is where it starts. */
            @Override
            public void text(AlignedText norm, int from, int to) {
                if (from == 0 && to == norm.length) {
                    words(norm, out);
                    return;
                }
                AlignedText part = norm.slice(from, to);
                if (from == 0) {
                    part.shift = norm.shift;
                }
                words(part, out);
            }
        });
        return out;
    }

    private void words(AlignedText norm, TokenList out) {
        if (norm.length == 0) {
            return;
        }
        if (preTokenizer == null) {
            out.nextWord();
            model.tokenize(norm, out);
            return;
        }
        List<AlignedText> words = new ArrayList<>();
        preTokenizer.split(norm, words);
        for (AlignedText w : words) {
            if (w.length > 0) {
                out.nextWord();
                model.tokenize(w, out);
            }
        }
    }

    @Override
    public int maxLength() {
        return maxLength;
    }

    // ---------------------------------------------------------------- decoding

    /** Ids back to text through the tokenizer.json's decoder (ByteLevel, Metaspace, WordPiece), as Hugging Face's {@code decode}. */
    @Override
    public String decode(int[] ids, boolean skipSpecial) {
        Objects.requireNonNull(ids, "ids to decode are null");
        List<String> tokens = new ArrayList<>(ids.length);
        for (int id : ids) {
            String t = token(id);
            if (!(skipSpecial && isSpecial(id))) {
                tokens.add(t);
            }
        }
        return decodeTokens(tokens);
    }

    /** Whether the decoder is ByteLevel: token strings spell bytes (GPT-2's alphabet), so decoded text decodes again differently. */
    public boolean decodesBytes() {
        return decoder != null && decoder.type().equals("ByteLevel");
    }

    /**
     * Token strings back to text through the tokenizer.json's decoder, as Hugging Face's {@code decoder.decode(tokens)}
     * (transformers' {@code convert_tokens_to_string}): the whole list at once, so only its first token loses the
     * Metaspace prefix space; a string that is no vocabulary entry goes through the decoder like any other.
     */
    public String decodeTokens(List<String> tokens) {
        if (decoder == null) {
            return String.join(" ", tokens);
        }
        switch (decoder.type()) {
            case "ByteLevel" -> {
                return ByteLevel.decode(String.join("", tokens));
            }
            case "Metaspace" -> {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < tokens.size(); i++) {
                    String t = tokens.get(i).replace(new String(Character.toChars(decoder.replacement())), " ");
                    if (i == 0 && !decoder.prependScheme().equals("never") && t.startsWith(" ")) {
                        t = t.substring(1);
                    }
                    sb.append(t);
                }
                return sb.toString();
            }
            case "WordPiece" -> {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < tokens.size(); i++) {
                    String t = tokens.get(i);
                    if (i > 0) {
                        if (t.startsWith(decoder.prefix())) {
                            t = t.substring(decoder.prefix().length());
                        } else {
                            sb.append(' ');
                        }
                    }
                    sb.append(t);
                }
                return decoder.cleanup() ? WordPieceTokenizer.cleanUpTokenization(sb.toString()) : sb.toString();
            }
            default -> throw new IllegalStateException("decoder " + decoder.type());
        }
    }

    @Override
    public int unkId() {
        return model.unkId();
    }

    @Override
    public boolean lowerCase() {
        return lowerCase;
    }

    @Override
    public String toString() {
        return "PipelineTokenizer[" + model.getClass().getSimpleName() + ", vocab=" + vocabSize() + ", maxLength="
                + maxLength + "]";
    }
}
