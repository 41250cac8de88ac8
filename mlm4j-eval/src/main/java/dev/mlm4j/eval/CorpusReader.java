package dev.mlm4j.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads a corpus from a folder or from the .tgz it came in. Two formats are recognised by file name:
 * <ul>
 *   <li>the <b>Brown Corpus</b>, form C (tagged): files {@code ca01} … {@code cr09}, one sentence per non-blank
 *       line, tokens {@code word/tag} separated by white space (a word may itself contain '/': the tag follows
 *       the last one). The file name's second letter is the {@link Genre};</li>
 *   <li><b>sentence arrays</b>: files {@code doc-N.json} holding a JSON array of sentences (the nlp-corpus
 *       package); no tags, no genre — good for the masked-LM evaluation only.</li>
 * </ul>
 * Other files (README, CONTENTS, cats.txt, package.json, …) are ignored. The folder may be the one the
 * tarball unpacks to ({@code package/}) or its parent. Anything wrong — nothing recognisable, an unreadable
 * file, a file in another format — is an {@link IllegalArgumentException} with a one-line message naming the file.
 */
public final class CorpusReader {
    private CorpusReader() {}

    private static final Pattern BROWN_NAME = Pattern.compile("c[a-r]\\d\\d");
    private static final Pattern JSON_NAME = Pattern.compile("doc-\\d+\\.json");
    /** Brown tags: lower-case letters, digits, and the marks used for punctuation, negation, possessives, contractions. */
    private static final Pattern TAG = Pattern.compile("[a-z0-9$*+\\-.,:()'`]+");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_DEPTH = 3;

    static boolean recognised(String fileName) {
        return BROWN_NAME.matcher(fileName).matches() || JSON_NAME.matcher(fileName).matches();
    }

    /** Reads every recognised file under {@code path} (a folder, or a .tgz / .tar.gz). */
    public static Corpus open(Path path) {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) throw new IllegalArgumentException("no such corpus: " + path);
        List<Corpus.Document> docs = new ArrayList<>();
        String name = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (Files.isDirectory(path)) {
            List<Path> files = listFolder(path);
            for (Path f : files) docs.add(parse(f.getFileName().toString(), read(f), f.toString()));
        } else if (name.endsWith(".tgz") || name.endsWith(".tar.gz")) {
            List<Tgz.Entry> entries;
            try {
                entries = Tgz.read(path, n -> recognised(baseName(n)));
            } catch (AccessDeniedException e) {
                throw new IllegalArgumentException("cannot read " + path + ": permission denied");
            } catch (IOException e) {
                throw new IllegalArgumentException(e.getMessage());
            }
            entries.sort(Comparator.comparing(e -> baseName(e.name())));
            for (Tgz.Entry e : entries) docs.add(parse(baseName(e.name()), e.bytes(), path + "!" + e.name()));
            if (docs.isEmpty()) throw nothingFound(path);
        } else {
            throw new IllegalArgumentException(path + " is neither a folder nor a .tgz: give the folder of Brown files"
                    + " (ca01 … cr09) or doc-N.json sentence arrays, or the .tgz they came in");
        }
        docs.sort(Comparator.comparing(Corpus.Document::id, CorpusReader::byFileName));
        return new Corpus(path.toString(), docs);
    }

    private static List<Path> listFolder(Path dir) {
        List<Path> files;
        boolean anything;
        try (Stream<Path> all = Files.walk(dir, MAX_DEPTH)) {
            List<Path> everything = all.filter(p -> !p.equals(dir)).toList();
            anything = everything.stream().anyMatch(p -> !Files.isDirectory(p));
            files = everything.stream()
                    .filter(p -> recognised(p.getFileName().toString()) && !Files.isDirectory(p))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new IllegalArgumentException("cannot list " + dir + ": " + e.getMessage());
        }
        if (!anything) throw new IllegalArgumentException("corpus folder " + dir + " is empty");
        if (files.isEmpty()) throw nothingFound(dir);
        return files;
    }

    private static IllegalArgumentException nothingFound(Path p) {
        return new IllegalArgumentException("no corpus files in " + p + ": expected Brown files (ca01 … cr09)"
                + " or doc-N.json sentence arrays");
    }

    private static byte[] read(Path f) {
        try {
            return Files.readAllBytes(f);
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException("cannot read " + f + ": permission denied");
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("cannot read " + f + ": it is a broken link or vanished");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + f + ": " + e.getMessage());
        }
    }

    static Corpus.Document parse(String id, byte[] bytes, String where) {
        String text = decode(bytes, where);
        return BROWN_NAME.matcher(id).matches() ? parseBrown(id, text, where) : parseJson(id, text, where);
    }

    /** One Brown file: a sentence per non-blank line, {@code word/tag} tokens. */
    static Corpus.Document parseBrown(String id, String text, String where) {
        Genre genre = Genre.ofLetter(id.charAt(1));
        List<Corpus.Sentence> sentences = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int ln = 0; ln < lines.length; ln++) {
            String line = lines[ln].strip();
            if (line.isEmpty()) continue;
            String[] tokens = line.split("\\s+");
            List<String> words = new ArrayList<>(tokens.length), tags = new ArrayList<>(tokens.length);
            for (String tok : tokens) {
                int slash = tok.lastIndexOf('/');
                String tag = slash < 0 ? "" : tok.substring(slash + 1).toLowerCase(Locale.ROOT);
                if (slash <= 0 || !TAG.matcher(tag).matches()) {
                    throw new IllegalArgumentException(where + " line " + (ln + 1) + ": '" + abbreviate(tok)
                            + "' is not word/tag — not a tagged Brown Corpus file");
                }
                words.add(tok.substring(0, slash));
                tags.add(tag);
            }
            sentences.add(new Corpus.Sentence(words, tags));
        }
        if (sentences.isEmpty()) throw new IllegalArgumentException(where + " has no sentences — not a tagged Brown Corpus file");
        return new Corpus.Document(id, genre, sentences);
    }

    /** One doc-N.json: a JSON array of sentence strings; words are split at white space. */
    static Corpus.Document parseJson(String id, String text, String where) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where + " is not JSON (" + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isArray()) throw new IllegalArgumentException(where + ": expected a JSON array of sentences");
        List<Corpus.Sentence> sentences = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode s = root.get(i);
            if (!s.isTextual()) throw new IllegalArgumentException(where + ": element " + i + " is not a string (expected an array of sentences)");
            String t = s.asText().strip();
            if (!t.isEmpty()) sentences.add(new Corpus.Sentence(Arrays.asList(t.split("\\s+")), List.of()));
        }
        if (sentences.isEmpty()) throw new IllegalArgumentException(where + " has no sentences");
        return new Corpus.Document(id, null, sentences);
    }

    private static String decode(byte[] bytes, String where) {
        try {
            String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
            if (s.indexOf('\0') >= 0) throw new IllegalArgumentException(where + " is a binary file, not text");
            return s;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(where + " is not UTF-8 text");
        }
    }

    private static String baseName(String entry) {
        int slash = entry.lastIndexOf('/');
        return slash < 0 ? entry : entry.substring(slash + 1);
    }

    /** ca01 < ca02 < … ; doc-2.json < doc-10.json. */
    private static int byFileName(String a, String b) {
        String da = a.replaceAll("\\D", ""), db = b.replaceAll("\\D", "");
        String pa = a.replaceAll("\\d+.*", ""), pb = b.replaceAll("\\d+.*", "");
        int c = pa.compareTo(pb);
        if (c != 0 || da.isEmpty() || db.isEmpty() || da.length() > 9 || db.length() > 9) return c != 0 ? c : a.compareTo(b);
        c = Integer.compare(Integer.parseInt(da), Integer.parseInt(db));
        return c != 0 ? c : a.compareTo(b);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "…";
    }
}
