package dev.mlm4j.tokens;

import java.text.BreakIterator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Hugging Face's normalizers other than {@link BertNormalizer} ({@code tokenizers/src/normalizers/}), each
 * rewriting text the way its Rust counterpart rewrites a {@code NormalizedString}, alignments included.
 */
final class Normalizers {

    private Normalizers() {
    }

    /** {@code Sequence}: each normalizer on the output of the one before. */
    record Sequence(List<Normalizer> normalizers) implements Normalizer {
        @Override
        public void normalize(AlignedText in, int from, int to, AlignedText out) {
            AlignedText cur = in.slice(from, to);
            for (Normalizer n : normalizers) {
                AlignedText next = new AlignedText(cur.length + 8);
                n.normalize(cur, 0, cur.length, next);
                cur = next;
            }
            out.addAll(cur, 0, cur.length);
        }
    }

    /** {@code Lowercase}: Rust's {@code char::to_lowercase}, full mapping, no context. */
    record Lowercase() implements Normalizer {
        @Override
        public void normalize(AlignedText in, int from, int to, AlignedText out) {
            for (int i = from; i < to; i++) {
                int cp = in.cps[i];
                if (cp < 0x80) {
                    out.add(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp, in.start[i], in.end[i]);
                } else {
                    // one code point lower-cased alone: İ → i + U+0307, a lone Σ → σ
                    String lower = Character.toString(cp).toLowerCase(Locale.ROOT);
                    for (int k = 0; k < lower.length(); ) {
                        int c = lower.codePointAt(k);
                        out.add(c, in.start[i], in.end[i]);
                        k += Character.charCount(c);
                    }
                }
            }
        }
    }

    /** {@code Strip}: removes leading and/or trailing white space (Rust's {@code char::is_whitespace}). */
    record Strip(boolean left, boolean right) implements Normalizer {
        @Override
        public void normalize(AlignedText in, int from, int to, AlignedText out) {
            int s = from;
            int e = to;
            if (left) {
                while (s < e && CharClasses.isWhitespace(in.cps[s])) {
                    s++;
                }
            }
            if (right) {
                while (e > s && CharClasses.isWhitespace(in.cps[e - 1])) {
                    e--;
                }
            }
            out.addAll(in, s, e);
        }
    }

    /**
     * {@code Replace}: every match of a literal string or a regex replaced by {@code content}; the new characters
     * take the range of the last character they replace (Hugging Face's {@code NormalizedString::replace}).
     */
    record Replace(Pattern pattern, int[] content) implements Normalizer {
        @Override
        public void normalize(AlignedText in, int from, int to, AlignedText out) {
            IntList m = new IntList();
            AlignedText.matches(in, from, to, pattern, m);
            int last = from;
            for (int k = 0; k < m.size; k += 2) {
                int s = m.get(k);
                int e = m.get(k + 1);
                out.addAll(in, last, s);
                for (int cp : content) {
                    out.add(cp, in.start[e - 1], in.end[e - 1]);
                }
                last = e;
            }
            out.addAll(in, last, to);
        }
    }

    /** {@code Prepend}: puts {@code prefix} before a non-empty text, aligned to its first character. */
    record Prepend(String prefix) implements Normalizer {
        @Override
        public void normalize(AlignedText in, int from, int to, AlignedText out) {
            if (to > from) {
                prefix.codePoints().forEach(c -> out.add(c, in.start[from], in.end[from]));
            }
            out.addAll(in, from, to);
        }
    }

    /**
     * {@code NFC}, {@code NFD}, {@code NFKC}, {@code NFKD}. Each base character and the combining marks after it
     * is normalized as one unit; its new characters replace the old ones in order (surplus ones aligned to the
     * last replaced one), which is how Hugging Face's alignments come out for decompositions, compositions and
     * compatibility expansions such as {@code ﬁ} → {@code fi}.
     */
    record Unicode(java.text.Normalizer.Form form) implements Normalizer {
        @Override
        public void normalize(AlignedText in, int from, int to, AlignedText out) {
            IntList edits = new IntList();
            int i = from;
            while (i < to) {
                int j = i + 1;
                while (j < to && isCombining(in.cps[j])) {
                    j++;
                }
                String unit = in.substring(i, j);
                String n = java.text.Normalizer.normalize(unit, form);
                AlignedText.replaceEdits(edits, j - i, n.codePoints().toArray());
                i = j;
            }
            AlignedText.transform(in, from, to, edits, 0, out);
        }

        private static boolean isCombining(int cp) {
            int t = Character.getType(cp);
            return t == Character.NON_SPACING_MARK || t == Character.COMBINING_SPACING_MARK
                    || t == Character.ENCLOSING_MARK;
        }
    }

    /**
     * {@code Precompiled}: SentencePiece's normalization rules ({@link PrecompiledCharsmap}), applied as Hugging Face
     * does: a grapheme cluster shorter than 6 UTF-8 bytes is replaced whole when a rule matches a prefix of it,
     * else each character on its own.
     */
    record Precompiled(PrecompiledCharsmap charsmap) implements Normalizer {
        @Override
        public void normalize(AlignedText in, int from, int to, AlignedText out) {
            String text = in.substring(from, to);
            BreakIterator graphemes = BreakIterator.getCharacterInstance(Locale.ROOT);
            graphemes.setText(text);
            IntList edits = new IntList();
            boolean modified = false;
            for (int s = graphemes.first(), e = graphemes.next(); e != BreakIterator.DONE; s = e, e = graphemes.next()) {
                String g = text.substring(s, e);
                if (PrecompiledCharsmap.utf8Length(g) < 6) {
                    String norm = charsmap.transform(g);
                    if (norm != null) {
                        AlignedText.replaceEdits(edits, g.codePointCount(0, g.length()), norm.codePoints().toArray());
                        modified = true;
                        continue;
                    }
                }
                for (int k = 0; k < g.length(); ) {
                    int cp = g.codePointAt(k);
                    int n = Character.charCount(cp);
                    String norm = charsmap.transform(g.substring(k, k + n));
                    if (norm != null) {
                        AlignedText.replaceEdits(edits, 1, norm.codePoints().toArray());
                        modified = true;
                    } else {
                        edits.add(cp, 0);
                    }
                    k += n;
                }
            }
            if (modified) {
                AlignedText.transform(in, from, to, edits, 0, out);
            } else {
                out.addAll(in, from, to);
            }
        }
    }
}
