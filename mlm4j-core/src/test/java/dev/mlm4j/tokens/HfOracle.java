package dev.mlm4j.tokens;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The test oracle: Hugging Face's own Rust {@code tokenizers} library, through DJL's JNI binding (test scope only).
 * Truncation and padding are switched off unless asked for, special tokens are added, and the offsets it reports
 * (Unicode scalar values) are converted to UTF-16 indices like ours.
 */
final class HfOracle implements AutoCloseable {

    static {
        // Unpack the bundled native library under target/, not ~/.djl.ai, and never phone home.
        System.setProperty("DJL_CACHE_DIR", Path.of("target", "djl-cache").toAbsolutePath().toString());
        System.setProperty("OPT_OUT_TRACKING", "true");
        System.setProperty("offline", "true");
    }

    /** What Hugging Face returned for one input, offsets in UTF-16 ({@code -1} where it gave none). */
    record Result(long[] ids, long[] typeIds, String[] tokens, int[] start, int[] end, long[] specialMask,
                  long[] sequenceIds, boolean truncated) {
    }

    private final HuggingFaceTokenizer tokenizer;

    private HfOracle(HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** The oracle for a tokenizer.json, no truncation. */
    static HfOracle ofTokenizerJson(Path tokenizerJson) throws IOException {
        return new HfOracle(HuggingFaceTokenizer.newInstance(tokenizerJson, options(0)));
    }

    /** The oracle for a tokenizer.json given as text; {@code truncateAt > 0} turns LongestFirst truncation on. */
    static HfOracle ofJson(String json, int truncateAt) throws IOException {
        try (InputStream in = new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8))) {
            return new HfOracle(HuggingFaceTokenizer.newInstance(in, options(truncateAt)));
        }
    }

    /** The oracle for a BERT vocab.txt, via {@link #bertTokenizerJson}. */
    static HfOracle ofVocab(List<String> vocab, boolean lowerCase, int truncateAt) throws IOException {
        return ofJson(bertTokenizerJson(vocab, lowerCase), truncateAt);
    }

    private static Map<String, String> options(int truncateAt) {
        Map<String, String> o = new HashMap<>();
        o.put("addSpecialTokens", "true");
        o.put("padding", "false");
        if (truncateAt > 0) {
            o.put("truncation", "LONGEST_FIRST");
            o.put("maxLength", Integer.toString(truncateAt));
        } else {
            o.put("truncation", "false");
        }
        return o;
    }

    /**
     * The tokenizer.json transformers' {@code BertConverter} writes for {@code BertTokenizerFast(vocab,
     * do_lower_case)}: BertNormalizer (strip_accents null = follow lowercase), BertPreTokenizer, WordPiece with
     * [UNK] / "##" / 100, the [CLS] $A [SEP] / [CLS] $A [SEP] $B:1 [SEP]:1 template, WordPiece decoder, and the
     * five BERT special tokens as non-normalized special added tokens.
     */
    static String bertTokenizerJson(List<String> vocab, boolean lowerCase) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < vocab.size(); i++) {
            ids.put(vocab.get(i), i);
        }
        ArrayNode added = root.putArray("added_tokens");
        for (String s : new String[] {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}) {
            ObjectNode t = added.addObject();
            t.put("id", ids.get(s));
            t.put("content", s);
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        ObjectNode norm = root.putObject("normalizer");
        norm.put("type", "BertNormalizer");
        norm.put("clean_text", true);
        norm.put("handle_chinese_chars", true);
        norm.putNull("strip_accents");
        norm.put("lowercase", lowerCase);
        root.putObject("pre_tokenizer").put("type", "BertPreTokenizer");
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        special(single, "[CLS]", 0);
        sequence(single, "A", 0);
        special(single, "[SEP]", 0);
        ArrayNode pair = post.putArray("pair");
        special(pair, "[CLS]", 0);
        sequence(pair, "A", 0);
        special(pair, "[SEP]", 0);
        sequence(pair, "B", 1);
        special(pair, "[SEP]", 1);
        ObjectNode specials = post.putObject("special_tokens");
        for (String s : new String[] {"[CLS]", "[SEP]"}) {
            ObjectNode d = specials.putObject(s);
            d.put("id", s);
            d.putArray("ids").add(ids.get(s));
            d.putArray("tokens").add(s);
        }
        ObjectNode dec = root.putObject("decoder");
        dec.put("type", "WordPiece");
        dec.put("prefix", "##");
        dec.put("cleanup", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "WordPiece");
        model.put("unk_token", "[UNK]");
        model.put("continuing_subword_prefix", "##");
        model.put("max_input_chars_per_word", 100);
        ObjectNode v = model.putObject("vocab");
        for (int i = 0; i < vocab.size(); i++) {
            v.put(vocab.get(i), ids.get(vocab.get(i)));
        }
        return root.toString();
    }

    private static void special(ArrayNode a, String id, int typeId) {
        ObjectNode s = a.addObject().putObject("SpecialToken");
        s.put("id", id);
        s.put("type_id", typeId);
    }

    private static void sequence(ArrayNode a, String id, int typeId) {
        ObjectNode s = a.addObject().putObject("Sequence");
        s.put("id", id);
        s.put("type_id", typeId);
    }

    Result encode(String text) {
        var e = tokenizer.encode(text, true, false);
        return result(e, text, null);
    }

    Result encodePair(String a, String b) {
        var e = tokenizer.encode(a, b, true, false);
        return result(e, a, b);
    }

    /** Hugging Face's Rust decode (the WordPiece decoder, per-token clean-up). */
    String decode(int[] ids, boolean skipSpecial) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            l[i] = ids[i];
        }
        return tokenizer.decode(l, skipSpecial);
    }

    private static Result result(ai.djl.huggingface.tokenizers.Encoding e, String a, String b) {
        CharSpan[] spans = e.getCharTokenSpans();
        long[] seq = e.getSequenceIds();
        int[] start = new int[spans.length];
        int[] end = new int[spans.length];
        int[] cpToUtf16A = cpToUtf16(a);
        int[] cpToUtf16B = b == null ? null : cpToUtf16(b);
        for (int i = 0; i < spans.length; i++) {
            if (spans[i] == null) {
                start[i] = -1;
                end[i] = -1;
            } else {
                int[] map = seq[i] == 1 ? cpToUtf16B : cpToUtf16A;
                start[i] = map[spans[i].getStart()];
                end[i] = map[spans[i].getEnd()];
            }
        }
        return new Result(e.getIds(), e.getTypeIds(), e.getTokens(), start, end, e.getSpecialTokenMask(), seq,
                e.exceedMaxLength());
    }

    /** For each code point index 0…n, its UTF-16 index. */
    private static int[] cpToUtf16(String s) {
        int n = s.codePointCount(0, s.length());
        int[] map = new int[n + 1];
        int k = 0;
        for (int i = 0; i < s.length(); ) {
            map[k++] = i;
            i += Character.charCount(s.codePointAt(i));
        }
        map[n] = s.length();
        return map;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
