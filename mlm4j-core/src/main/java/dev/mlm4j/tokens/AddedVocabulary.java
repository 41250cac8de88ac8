package dev.mlm4j.tokens;

import java.util.ArrayList;
import java.util.List;

/**
 * Tokens matched in the text before the model sees it — [CLS], [SEP], [PAD], [UNK], [MASK] and any other added
 * token — after Hugging Face's {@code AddedVocabulary} ({@code tokenizers/src/tokenizer/added_vocabulary.rs}).
 * Tokens declared {@code normalized=false} (all BERT special tokens) are matched in the original text, so a
 * literal "[MASK]" is never split nor lower-cased; {@code normalized=true} ones are matched in the normalized
 * text against their normalized content. Matching is leftmost-longest and non-overlapping, like the
 * Aho-Corasick automaton Hugging Face uses.
 */
final class AddedVocabulary {

    /** One added token, with Hugging Face's field names. */
    record AddedToken(int id, String content, boolean singleWord, boolean lstrip, boolean rstrip,
                      boolean normalized, boolean special) {

        static AddedToken special(int id, String content) {
            return new AddedToken(id, content, false, false, false, false, true);
        }
    }

    private record Pattern(int[] cps, AddedToken token) {
    }

    final List<AddedToken> tokens;
    private final Pattern[] raw;         // matched in the original text
    private final Pattern[] normalized;  // matched in the normalized text

    AddedVocabulary(List<AddedToken> tokens, Normalizer normalizer) {
        this.tokens = List.copyOf(tokens);
        List<Pattern> r = new ArrayList<>();
        List<Pattern> n = new ArrayList<>();
        for (AddedToken t : tokens) {
            if (t.content().isEmpty()) {
                continue;
            }
            if (t.normalized()) {
                String content = normalizer == null ? t.content() : normalizer.normalize(t.content());
                if (!content.isEmpty()) {
                    n.add(new Pattern(content.codePoints().toArray(), t));
                }
            } else {
                r.add(new Pattern(t.content().codePoints().toArray(), t));
            }
        }
        raw = r.toArray(Pattern[]::new);
        normalized = n.toArray(Pattern[]::new);
    }

    boolean hasNormalizedTokens() {
        return normalized.length > 0;
    }

    /** What a tokenizer does with the pieces {@link #walk} cuts a text into. */
    interface Pieces {
        /** An added token matched at {@code in[from, to)}: in the original text ({@code inRaw}) or in the normalized one. */
        void added(AddedToken token, AlignedText in, int from, int to, boolean inRaw);

        /** Normalized text between added tokens, {@code norm[from, to)}: what the pre-tokenizer and the model read. */
        void text(AlignedText norm, int from, int to);
    }

    /**
     * Hugging Face's order over one text, which every tokenizer shares: the added tokens cut out of the original text
     * first; each piece between them normalized by {@code normalizer} (copied when null) into one buffer, reused piece
     * after piece (its {@code shift} where the piece starts in the original); the added tokens matched in the normalized
     * text cut out of that; the rest to {@link Pieces#text}. {@code out} must be done with the buffer when it returns.
     */
    void walk(AlignedText raw, Normalizer normalizer, Pieces out) {
        List<AddedToken> found = new ArrayList<>();
        IntList pieces = new IntList();
        splitRaw(raw, 0, raw.length, found, pieces);
        AlignedText norm = new AlignedText(raw.length + 16);
        IntList normPieces = new IntList();
        List<AddedToken> normFound = new ArrayList<>();
        for (int p = 0; p < pieces.size; p += 3) {
            int s = pieces.get(p);
            int e = pieces.get(p + 1);
            int k = pieces.get(p + 2);
            if (k >= 0) {
                out.added(found.get(k), raw, s, e, true);
                continue;
            }
            norm.clear();
            norm.shift = raw.start[s];
            if (normalizer != null) {
                normalizer.normalize(raw, s, e, norm);
            } else {
                norm.addAll(raw, s, e);
            }
            if (!hasNormalizedTokens()) {
                out.text(norm, 0, norm.length);
                continue;
            }
            normPieces.clear();
            normFound.clear();
            splitNormalized(norm, 0, norm.length, normFound, normPieces);
            for (int q = 0; q < normPieces.size; q += 3) {
                int ns = normPieces.get(q);
                int ne = normPieces.get(q + 1);
                int nk = normPieces.get(q + 2);
                if (nk >= 0) {
                    out.added(normFound.get(nk), norm, ns, ne, false);
                } else {
                    out.text(norm, ns, ne);
                }
            }
        }
    }

    /** Splits the original text; see {@link #split(AlignedText, int, int, Pattern[], List, IntList)}. */
    void splitRaw(AlignedText text, int from, int to, List<AddedToken> found, IntList pieces) {
        split(text, from, to, raw, found, pieces);
    }

    /** Splits normalized text. */
    void splitNormalized(AlignedText text, int from, int to, List<AddedToken> found, IntList pieces) {
        split(text, from, to, normalized, found, pieces);
    }

    /**
     * Cuts {@code text[from, to)} into pieces covering it, appended to {@code pieces} as (start, end, k) triples:
     * k = −1 for plain text, else the index in {@code found} of the added token matched there.
     * This is {@code find_matches}: single_word matches not delimited by non-word characters are skipped,
     * lstrip/rstrip widen a match over the whitespace beside it.
     */
    private static void split(AlignedText text, int from, int to, Pattern[] patterns, List<AddedToken> found,
                              IntList pieces) {
        int startOffset = from;
        int i = from;
        while (i < to && patterns.length > 0) {
            Pattern best = null;
            for (Pattern p : patterns) {
                if ((best == null || p.cps.length > best.cps.length) && matchesAt(text, i, to, p.cps)) {
                    best = p;
                }
            }
            if (best == null) {
                i++;
                continue;
            }
            int start = i;
            int stop = i + best.cps.length;
            i = stop;  // the automaton resumes after the match, whatever happens to it below
            AddedToken token = best.token;
            if (token.singleWord()) {
                boolean startSpace = start == from || !CharClasses.isWordCharacter(text.cps[start - 1]);
                boolean stopSpace = stop == to || !CharClasses.isWordCharacter(text.cps[stop]);
                if (!startSpace || !stopSpace) {
                    continue;
                }
            }
            if (token.lstrip()) {
                int s = start;
                while (s > from && CharClasses.isWhitespace(text.cps[s - 1])) {
                    s--;
                }
                start = Math.max(s, startOffset);
            }
            if (token.rstrip()) {
                while (stop < to && CharClasses.isWhitespace(text.cps[stop])) {
                    stop++;
                }
            }
            if (startOffset < start) {
                pieces.add(startOffset, start, -1);
            }
            pieces.add(start, stop, found.size());
            found.add(token);
            startOffset = stop;
        }
        if (startOffset < to) {
            pieces.add(startOffset, to, -1);
        }
    }

    private static boolean matchesAt(AlignedText text, int i, int to, int[] cps) {
        if (cps.length > to - i) {
            return false;
        }
        for (int k = 0; k < cps.length; k++) {
            if (text.cps[i + k] != cps[k]) {
                return false;
            }
        }
        return true;
    }
}
