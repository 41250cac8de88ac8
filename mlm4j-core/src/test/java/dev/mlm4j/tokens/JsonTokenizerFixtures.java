package dev.mlm4j.tokens;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.mlm4j.JsonArrays.ints;

/**
 * The tokenizer.json parity fixtures of {@code src/test/resources/tokenizers/} (made by
 * {@code scripts/reference/tokenizers/make_tokenizers.py} with Hugging Face's Rust tokenizers 0.23.2): the
 * tokenizers, the inputs, and what the Rust library returned for each (ids, type ids, UTF-16 offsets).
 */
final class JsonTokenizerFixtures {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonTokenizerFixtures() {
    }

    /** One input: a text or pair, and the truncation length (0: none). */
    record Input(String a, String b, int max) {
    }

    /** What Hugging Face returned: ids, type ids (pairs), offsets per token (−1 for the template's specials). */
    record Expected(int[] ids, int[] typeIds, int[] start, int[] end) {
    }

    static InputStream open(String name) {
        return TestData.openResource("tokenizers/" + name);
    }

    static Tokenizer tokenizer(String name) {
        try (InputStream in = open(name + ".tokenizer.json.gz")) {
            return TokenizerJson.load(in, name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Input> inputs() {
        List<Input> out = new ArrayList<>();
        for (JsonNode n : rows("inputs.jsonl.gz")) {
            out.add(new Input(n.get("a").asText(), n.has("b") ? n.get("b").asText() : null, n.path("max").asInt(0)));
        }
        return out;
    }

    static List<Expected> expected(String name) {
        List<Expected> out = new ArrayList<>();
        for (JsonNode n : rows(name + ".expected.jsonl.gz")) {
            int[] ids = ints(n.get("ids"));
            int[] types = n.has("types") ? ints(n.get("types")) : new int[ids.length];
            boolean[] special = new boolean[ids.length];
            for (JsonNode s : n.get("special")) {
                special[s.asInt()] = true;
            }
            int[] start = new int[ids.length];
            int[] end = new int[ids.length];
            int[] deltas = ints(n.get("offsets"));
            int prev = 0;
            for (int i = 0, k = 0; i < ids.length; i++) {
                if (special[i]) {
                    start[i] = -1;
                    end[i] = -1;
                } else {
                    start[i] = prev + deltas[k++];
                    end[i] = start[i] + deltas[k++];
                    prev = end[i];
                }
            }
            out.add(new Expected(ids, types, start, end));
        }
        return out;
    }

    /** The encoding of one input by {@code t}, as the fixtures were made. */
    static Encoding encode(Tokenizer t, Input in) {
        int max = in.max() > 0 ? in.max() : Integer.MAX_VALUE;
        return in.b() == null ? t.encode(in.a(), max, in.max() > 0) : t.encodePair(in.a(), in.b(), max, in.max() > 0);
    }

    /** Null when equal, else a one-line description of the first difference. */
    static String compare(Encoding e, Expected x) {
        if (!Arrays.equals(e.ids(), x.ids())) {
            return "ids " + Arrays.toString(e.ids()) + " tokens " + Arrays.toString(e.tokens()) + " != expected " + Arrays.toString(x.ids());
        }
        if (!Arrays.equals(e.typeIds(), x.typeIds())) {
            return "type ids " + Arrays.toString(e.typeIds()) + " != " + Arrays.toString(x.typeIds());
        }
        if (!Arrays.equals(e.start(), x.start()) || !Arrays.equals(e.end(), x.end())) {
            return "offsets " + pairs(e.start(), e.end()) + " != " + pairs(x.start(), x.end()) + " tokens " + Arrays.toString(e.tokens());
        }
        return null;
    }

    private static String pairs(int[] s, int[] e) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < s.length; i++) {
            sb.append(i == 0 ? "" : " ").append(s[i]).append(',').append(e[i]);
        }
        return sb.append(']').toString();
    }

    /** Hugging Face's sequence id per token (−1 for the template's) of each pair row, null for single texts. */
    private static List<int[]> sequenceIds(String name) {
        List<int[]> out = new ArrayList<>();
        for (JsonNode n : rows(name + ".expected.jsonl.gz")) {
            out.add(n.has("sequence") ? ints(n.get("sequence")) : null);
        }
        return out;
    }

    /** How many truncated pairs the last {@link #mismatches} call found cut elsewhere (see {@link #splitOnly}). */
    static int splitDifferences;

    private static List<JsonNode> rows(String name) {
        List<JsonNode> out = new ArrayList<>();
        try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(open(name),
                java.nio.charset.StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                out.add(JSON.readTree(line));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /**
     * Whether {@code e} and {@code x} differ only in where a truncated pair was cut: same length, and each text's
     * tokens (ids and offsets) equal as far as both kept them. Hugging Face's LongestFirst gives the odd token of an
     * odd room to the first or the second text differently across versions (see {@link Template#encode}).
     */
    static boolean splitOnly(Encoding e, Expected x, int[] expectedSequence) {
        if (e.length() != x.ids().length) {
            return false;
        }
        for (int which = 0; which < 2; which++) {
            List<Integer> mine = new ArrayList<>();
            List<Integer> theirs = new ArrayList<>();
            for (int i = 0; i < e.length(); i++) {
                if (e.sequenceIds()[i] == which) {
                    mine.add(i);
                }
                if (expectedSequence[i] == which) {
                    theirs.add(i);
                }
            }
            for (int k = 0; k < Math.min(mine.size(), theirs.size()); k++) {
                int i = mine.get(k);
                int j = theirs.get(k);
                if (e.ids()[i] != x.ids()[j] || e.start()[i] != x.start()[j] || e.end()[i] != x.end()[j]) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Runs every input through {@code name}'s tokenizer; returns the mismatches (at most 20 described). */
    static List<String> mismatches(String name) {
        Tokenizer t = tokenizer(name);
        List<Input> inputs = inputs();
        splitDifferences = 0;
        List<Expected> expected = expected(name);
        if (inputs.size() != expected.size()) {
            throw new IllegalStateException(name + ": " + inputs.size() + " inputs but " + expected.size() + " expected rows");
        }
        List<int[]> sequences = sequenceIds(name);
        List<String> out = new ArrayList<>();
        int bad = 0;
        for (int i = 0; i < inputs.size(); i++) {
            Input in = inputs.get(i);
            String diff;
            try {
                Encoding e = encode(t, in);
                diff = compare(e, expected.get(i));
                if (diff != null && in.b() != null && in.max() > 0 && splitOnly(e, expected.get(i), sequences.get(i))) {
                    splitDifferences++;
                    diff = null;
                }
            } catch (RuntimeException ex) {
                diff = "threw " + ex;
            }
            if (diff != null) {
                bad++;
                if (out.size() < 20) {
                    out.add("input " + (i + 1) + " " + Parity.quote(in.a()) + (in.b() == null ? "" : " + " + Parity.quote(in.b()))
                            + (in.max() > 0 ? " max " + in.max() : "") + ": " + diff);
                }
            }
        }
        if (bad > out.size()) {
            out.add("... " + bad + " of " + inputs.size() + " inputs differ");
        }
        return out;
    }
}
