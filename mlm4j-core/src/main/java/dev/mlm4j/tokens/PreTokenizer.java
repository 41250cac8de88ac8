package dev.mlm4j.tokens;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One of Hugging Face's pre-tokenizers ({@code tokenizers/src/pre_tokenizers/}): cuts normalized text into the
 * words the model sees, possibly rewriting them (Metaspace's ▁, ByteLevel's byte characters); every split keeps
 * the original range of each of its characters.
 */
interface PreTokenizer {

    /** Appends the splits of {@code text} to {@code out} (empty splits are dropped, as Hugging Face does). */
    void split(AlignedText text, List<AlignedText> out);

    /** {@code Sequence}: each pre-tokenizer over every split of the one before. */
    record Sequence(List<PreTokenizer> steps) implements PreTokenizer {
        @Override
        public void split(AlignedText text, List<AlignedText> out) {
            List<AlignedText> cur = List.of(text);
            for (PreTokenizer p : steps) {
                List<AlignedText> next = new java.util.ArrayList<>();
                for (AlignedText t : cur) {
                    p.split(t, next);
                }
                cur = next;
            }
            out.addAll(cur);
        }
    }

    /** {@code BertPreTokenizer}: white space removed, each punctuation character a word of its own. */
    record Bert() implements PreTokenizer {
        @Override
        public void split(AlignedText text, List<AlignedText> out) {
            IntList words = new IntList();
            BertPreTokenizer.split(text, 0, text.length, words);
            for (int w = 0; w < words.size; w += 2) {
                out.add(text.slice(words.get(w), words.get(w + 1)));
            }
        }
    }

    /** {@code WhitespaceSplit}: runs of non-white-space (Rust's {@code char::is_whitespace}). */
    record WhitespaceSplit() implements PreTokenizer {
        @Override
        public void split(AlignedText text, List<AlignedText> out) {
            int start = -1;
            for (int i = 0; i <= text.length; i++) {
                boolean ws = i == text.length || CharClasses.isWhitespace(text.cps[i]);
                if (ws && start >= 0) {
                    out.add(text.slice(start, i));
                    start = -1;
                } else if (!ws && start < 0) {
                    start = i;
                }
            }
        }
    }

    /**
     * {@code Split} with a regex or string pattern and one of Hugging Face's delimiter behaviours;
     * {@code Whitespace} is {@code Split(\w+|[^\w\s]+, Isolated, invert)}: the matches kept, the rest dropped.
     */
    record Split(Pattern pattern, String behavior, boolean invert) implements PreTokenizer {

        static Split whitespace() {
            return new Split(Pattern.compile("\\w+|[^\\w\\s]+", Pattern.UNICODE_CHARACTER_CLASS), "Removed", true);
        }

        @Override
        public void split(AlignedText text, List<AlignedText> out) {
            IntList m = new IntList();
            AlignedText.matches(text, 0, text.length, pattern, m);
            // (start, end, isDelimiter) over the whole text, as Pattern::find_matches gives them
            IntList parts = new IntList();
            int last = 0;
            for (int k = 0; k < m.size; k += 2) {
                if (m.get(k) > last) {
                    parts.add(last, m.get(k), invert ? 1 : 0);
                }
                parts.add(m.get(k), m.get(k + 1), invert ? 0 : 1);
                last = m.get(k + 1);
            }
            if (last < text.length) {
                parts.add(last, text.length, invert ? 1 : 0);
            }
            IntList keep = new IntList();  // (start, end)
            boolean prevDelim = false;
            for (int k = 0; k < parts.size; k += 3) {
                int s = parts.get(k);
                int e = parts.get(k + 1);
                boolean delim = parts.get(k + 2) == 1;
                switch (behavior) {
                    case "Removed" -> {
                        if (!delim) {
                            keep.add(s, e);
                        }
                    }
                    case "Isolated" -> keep.add(s, e);
                    case "MergedWithPrevious" -> {
                        if (delim && !prevDelim && keep.size > 0) {
                            keep.a[keep.size - 1] = e;
                        } else {
                            keep.add(s, e);
                        }
                    }
                    case "Contiguous" -> {
                        if (delim == prevDelim && keep.size > 0) {
                            keep.a[keep.size - 1] = e;
                        } else {
                            keep.add(s, e);
                        }
                    }
                    case "MergedWithNext" -> keep.add(s, e);  // merged below, walking backwards
                    default -> throw new IllegalArgumentException("split behavior '" + behavior + "' is not supported");
                }
                prevDelim = delim;
            }
            if (behavior.equals("MergedWithNext")) {
                mergeWithNext(parts, text, out);
                return;
            }
            for (int k = 0; k < keep.size; k += 2) {
                if (keep.get(k + 1) > keep.get(k)) {
                    out.add(text.slice(keep.get(k), keep.get(k + 1)));
                }
            }
        }

        private static void mergeWithNext(IntList parts, AlignedText text, List<AlignedText> out) {
            IntList rev = new IntList();  // (start, end), built from the end
            boolean prevDelim = false;
            for (int k = parts.size - 3; k >= 0; k -= 3) {
                boolean delim = parts.get(k + 2) == 1;
                if (delim && !prevDelim && rev.size > 0) {
                    rev.a[rev.size - 2] = parts.get(k);
                } else {
                    rev.add(parts.get(k), parts.get(k + 1));
                }
                prevDelim = delim;
            }
            for (int k = rev.size - 2; k >= 0; k -= 2) {
                out.add(text.slice(rev.get(k), rev.get(k + 1)));
            }
        }
    }

    /**
     * {@code Metaspace}: spaces become {@code replacement} (▁), one is put in front as {@code prependScheme}
     * says ({@code always}; {@code first}: only where the text starts; {@code never}), and with {@code split}
     * every ▁ starts a new word.
     */
    record Metaspace(int replacement, String prependScheme, boolean split) implements PreTokenizer {
        @Override
        public void split(AlignedText text, List<AlignedText> out) {
            if (text.length == 0) {
                return;
            }
            AlignedText t = new AlignedText(text.length + 1);
            t.shift = text.shift;
            boolean prepend = text.cps[0] != replacement && text.cps[0] != ' '
                    && (prependScheme.equals("always") || (prependScheme.equals("first") && text.shift == 0));
            if (prepend) {
                t.add(replacement, text.start[0], text.end[0]);
            }
            for (int i = 0; i < text.length; i++) {
                t.add(text.cps[i] == ' ' ? replacement : text.cps[i], text.start[i], text.end[i]);
            }
            if (!split) {
                out.add(t);
                return;
            }
            int s = 0;
            for (int i = 1; i <= t.length; i++) {
                if (i == t.length || t.cps[i] == replacement) {
                    out.add(t.slice(s, i));
                    s = i;
                }
            }
        }
    }

    /**
     * {@code ByteLevel} (GPT-2, RoBERTa): an optional leading space, GPT-2's word regex, then every UTF-8 byte of
     * a word written as its printable stand-in character ({@link ByteLevel#BYTE_CHARS}), all bytes of a character
     * keeping that character's range.
     */
    record ByteLevel(boolean addPrefixSpace, boolean useRegex) implements PreTokenizer {
        @Override
        public void split(AlignedText text, List<AlignedText> out) {
            if (text.length == 0) {
                return;
            }
            AlignedText t = text;
            if (addPrefixSpace && text.cps[0] != ' ') {
                t = new AlignedText(text.length + 1);
                t.shift = text.shift;
                t.add(' ', text.start[0], text.end[0]);
                t.addAll(text, 0, text.length);
            }
            IntList words = new IntList();
            if (useRegex) {
                AlignedText.matches(t, 0, t.length, dev.mlm4j.tokens.ByteLevel.GPT2_WORDS, words);
            } else {
                words.add(0, t.length);
            }
            byte[] buf = new byte[4];
            for (int w = 0; w < words.size; w += 2) {
                AlignedText b = new AlignedText(words.get(w + 1) - words.get(w));
                b.shift = t.start[words.get(w)];
                for (int i = words.get(w); i < words.get(w + 1); i++) {
                    int n = dev.mlm4j.tokens.ByteLevel.utf8(t.cps[i], buf);
                    for (int k = 0; k < n; k++) {
                        b.add(dev.mlm4j.tokens.ByteLevel.BYTE_CHARS[buf[k] & 0xFF], t.start[i], t.end[i]);
                    }
                }
                out.add(b);
            }
        }
    }
}
