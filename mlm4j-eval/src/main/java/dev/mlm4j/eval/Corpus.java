package dev.mlm4j.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A text corpus as the evaluations see it: documents of sentences of words, with a part-of-speech tag per
 * word and a genre per document when the source has them (the Brown Corpus does; plain sentence collections
 * do not). Read one with {@link CorpusReader#open}.
 *
 * @param source    where it was read from (a folder or a .tgz)
 * @param documents in file-name order
 */
public record Corpus(String source, List<Document> documents) {

    public Corpus {
        documents = List.copyOf(documents);
    }

    /**
     * One file.
     *
     * @param id        the file's name without folders: {@code ca01}, {@code doc-3.json}
     * @param genre     the Brown genre, or null when the source has none
     * @param sentences in reading order
     */
    public record Document(String id, Genre genre, List<Sentence> sentences) {
        public Document {
            Objects.requireNonNull(id, "id");
            sentences = List.copyOf(sentences);
        }
    }

    /**
     * One sentence as the source cut it.
     *
     * @param words the tokens as written in the source (Brown: {@code ``}, {@code ''} for quotes)
     * @param tags  one tag per word (Brown's own tags, lower case), or empty for an untagged source
     */
    public record Sentence(List<String> words, List<String> tags) {
        public Sentence {
            words = List.copyOf(words);
            tags = List.copyOf(tags);
            if (!tags.isEmpty() && tags.size() != words.size()) {
                throw new IllegalArgumentException(words.size() + " words but " + tags.size() + " tags");
            }
        }

        /** The sentence as plain text for a tokenizer: words joined by spaces, Brown's {@code ``} and {@code ''} as {@code "}. */
        public String text() {
            StringBuilder sb = new StringBuilder();
            for (String w : words) {
                if (!sb.isEmpty()) sb.append(' ');
                sb.append(plainWord(w));
            }
            return sb.toString();
        }

        public boolean tagged() {
            return !tags.isEmpty();
        }
    }

    /** A Brown token as it reads in running text: the corpus writes opening quotes {@code ``} and closing quotes {@code ''}. */
    public static String plainWord(String word) {
        return word.equals("``") || word.equals("''") ? "\"" : word;
    }

    /** Whether every document has tags and a genre (what the probes need). */
    public boolean isBrown() {
        for (Document d : documents) {
            if (d.genre() == null) return false;
            for (Sentence s : d.sentences()) if (!s.tagged()) return false;
        }
        return !documents.isEmpty();
    }

    public int sentenceCount() {
        int n = 0;
        for (Document d : documents) n += d.sentences().size();
        return n;
    }

    /** The documents whose ids are in {@code ids}, in corpus order. */
    public List<Document> select(java.util.Set<String> ids) {
        List<Document> out = new ArrayList<>();
        for (Document d : documents) if (ids.contains(d.id())) out.add(d);
        return out;
    }
}
