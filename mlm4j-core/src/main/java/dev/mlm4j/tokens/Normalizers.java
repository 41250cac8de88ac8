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
     * {@code NFC}, {@code NFD}, {@code NFKC}, {@code NFKD}, aligned as Hugging Face's
     * {@code unicode_normalization_alignments} aligns them: a character's decomposition stays on that character
     * (the first output replaces it, the rest are insertions), canonical reordering carries each character's change
     * with it, and a character composed onto a starter is removed from the old text right after the starter's
     * position. The text is cut into units that normalize independently (a unit ends before a character whose
     * decomposition starts with a starter, when appending it changes nothing already normalized); a unit whose result
     * is the characters' own normalizations in order is aligned character by character, any other one by replaying
     * decomposition, reordering and composition with those changes.
     */
    record Unicode(java.text.Normalizer.Form form) implements Normalizer {
        @Override
        public void normalize(AlignedText in, int from, int to, AlignedText out) {
            IntList edits = new IntList();
            int i = from;
            while (i < to) {
                int j = i + 1;
                String unit = in.substring(i, j);
                String norm = java.text.Normalizer.normalize(unit, form);
                while (j < to) {
                    String next = in.substring(j, j + 1);
                    String joined = java.text.Normalizer.normalize(unit + next, form);
                    if (joined.equals(norm + java.text.Normalizer.normalize(next, form)) && startsWithStarter(in.cps[j])) {
                        break;  // the next character starts a unit of its own
                    }
                    unit = unit + next;
                    norm = joined;
                    j++;
                }
                StringBuilder own = new StringBuilder();
                for (int k = i; k < j; k++) {
                    own.append(java.text.Normalizer.normalize(in.substring(k, k + 1), form));
                }
                if (own.toString().equals(norm)) {  // decompositions, each on its own character
                    for (int k = i; k < j; k++) {
                        String d = java.text.Normalizer.normalize(in.substring(k, k + 1), form);
                        AlignedText.replaceEdits(edits, 1, d.codePoints().toArray());
                    }
                } else if (!replay(in, i, j, norm, edits)) {
                    AlignedText.replaceEdits(edits, j - i, norm.codePoints().toArray());
                }
                i = j;
            }
            AlignedText.transform(in, from, to, edits, 0, out);
        }

        /**
         * The (code point, change) edits of {@code in[i, j)} as the alignments crate makes them: each character
         * decomposed (change 0, then +1 for every further code point), non-starters sorted by combining class
         * (stable, each keeping its change), and for NFC/NFKC each unblocked mark composed onto its starter (the
         * starter's change plus the mark's, minus one). False, with nothing added, if that does not give {@code norm}.
         */
        private boolean replay(AlignedText in, int i, int j, String norm, IntList edits) {
            boolean compose = form == java.text.Normalizer.Form.NFC || form == java.text.Normalizer.Form.NFKC;
            java.text.Normalizer.Form decompose = form == java.text.Normalizer.Form.NFKC || form == java.text.Normalizer.Form.NFKD
                    ? java.text.Normalizer.Form.NFKD : java.text.Normalizer.Form.NFD;
            IntList cps = new IntList();
            IntList changes = new IntList();
            for (int k = i; k < j; k++) {
                int[] d = java.text.Normalizer.normalize(in.substring(k, k + 1), decompose).codePoints().toArray();
                for (int m = 0; m < d.length; m++) {
                    cps.add(d[m]);
                    changes.add(m == 0 ? 0 : 1);
                }
            }
            boolean[] starter = new boolean[cps.size];
            for (int p = 0; p < cps.size; p++) {
                starter[p] = isStarter(cps.a[p]);
            }
            for (int p = 1; p < cps.size; p++) {  // canonical ordering: insertion sort of each run of non-starters
                for (int q = p; q > 0 && !starter[q] && !starter[q - 1] && lowerClass(cps.a[q], cps.a[q - 1]); q--) {
                    int c = cps.a[q];
                    cps.a[q] = cps.a[q - 1];
                    cps.a[q - 1] = c;
                    int x = changes.a[q];
                    changes.a[q] = changes.a[q - 1];
                    changes.a[q - 1] = x;
                }
            }
            IntList outCps = new IntList();
            IntList outChanges = new IntList();
            int lastStarter = -1;  // index in outCps
            int lastMark = -1;     // the last non-starter kept after it, or −1
            for (int p = 0; p < cps.size; p++) {
                int c = cps.a[p];
                if (compose && lastStarter >= 0 && (lastMark < 0 || lowerClass(lastMark, c))) {
                    String composed = java.text.Normalizer.normalize(
                            new String(new int[] {outCps.a[lastStarter], c}, 0, 2), java.text.Normalizer.Form.NFC);
                    if (composed.codePointCount(0, composed.length()) == 1) {
                        outCps.a[lastStarter] = composed.codePointAt(0);
                        outChanges.a[lastStarter] += changes.a[p] - 1;
                        continue;
                    }
                }
                outCps.add(c);
                outChanges.add(changes.a[p]);
                if (starter[p]) {
                    lastStarter = outCps.size - 1;
                    lastMark = -1;
                } else {
                    lastMark = c;
                }
            }
            if (!new String(outCps.a, 0, outCps.size).equals(norm)) {
                return false;
            }
            for (int p = 0; p < outCps.size; p++) {
                edits.add(outCps.a[p], outChanges.a[p]);
            }
            return true;
        }

        /** Whether {@code cp}'s decomposition starts with a starter: only before such a character can a unit end. */
        private boolean startsWithStarter(int cp) {
            if (cp < 0x300) {
                return true;  // no combining class below U+0300
            }
            boolean compat = form == java.text.Normalizer.Form.NFKC || form == java.text.Normalizer.Form.NFKD;
            String d = java.text.Normalizer.normalize(Character.toString(cp),
                    compat ? java.text.Normalizer.Form.NFKD : java.text.Normalizer.Form.NFD);
            return d.isEmpty() || isStarter(d.codePointAt(0));
        }

        /**
         * Whether the (decomposed) code point has canonical combining class 0, seen through canonical reordering:
         * a mark moves before U+0345 (class 240) when its class is lower, and U+0334 (class 1) moves before it when
         * its class is higher.
         */
        private static boolean isStarter(int cp) {
            if (cp < 0x300) {
                return true;
            }
            String c = Character.toString(cp);
            return java.text.Normalizer.normalize(c + "\u0334", java.text.Normalizer.Form.NFD).startsWith(c)
                    && java.text.Normalizer.normalize("\u0345" + c, java.text.Normalizer.Form.NFD).startsWith("\u0345");
        }

        /** Whether non-starter {@code x} has a lower combining class than {@code y}: y x reorders to x y. */
        private static boolean lowerClass(int x, int y) {
            String yx = new String(new int[] {y, x}, 0, 2);
            return !java.text.Normalizer.normalize(yx, java.text.Normalizer.Form.NFD).equals(yx);
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
