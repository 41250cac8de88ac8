package dev.mlm4j.tokens;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.tokens.AddedVocabulary.AddedToken;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a Hugging Face {@code tokenizer.json} (the serialization of {@code tokenizers::Tokenizer}) into a
 * {@link WordPieceTokenizer}. The only place that knows the file's field names. Supported: model WordPiece,
 * normalizer BertNormalizer (or none), pre_tokenizer BertPreTokenizer, post_processor TemplateProcessing /
 * BertProcessing (or none), decoder WordPiece (or none), added_tokens, truncation LongestFirst on the right.
 */
final class TokenizerJson {

    private TokenizerJson() {
    }

    /** A BERT WordPiece tokenizer.json only (BertNormalizer, BertPreTokenizer, WordPiece). */
    static WordPieceTokenizer read(InputStream in, String source) throws IOException {
        return new TokenizerJson.Reader(root(in, source), source).tokenizer();
    }

    /**
     * Whatever tokenizer the file declares: the BERT WordPiece pipeline as {@link WordPieceTokenizer}, anything
     * else (BPE, Unigram, other normalizers and pre-tokenizers) as a {@link PipelineTokenizer}; an unsupported
     * component is an {@link IllegalArgumentException} naming it.
     */
    static Tokenizer load(InputStream in, String source) throws IOException {
        JsonNode root = root(in, source);
        Reader r = new Reader(root, source);
        return r.isBertWordPiece() ? r.tokenizer() : new PipelineReader(root, source, r).tokenizer();
    }

    private static JsonNode root(InputStream in, String source) throws IOException {
        JsonNode root = new ObjectMapper().readTree(in);
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": not a tokenizer.json (no JSON object)");
        }
        return root;
    }

    private record Reader(JsonNode root, String source) {

        /** Whether the file is the BERT pipeline {@link WordPieceTokenizer} runs. */
        boolean isBertWordPiece() {
            JsonNode n = root.get("normalizer");
            JsonNode p = root.get("pre_tokenizer");
            JsonNode d = root.get("decoder");
            return modelType(required(root, "model")).equals("WordPiece")
                    && (!present(n) || text(n, "type", "").equals("BertNormalizer"))
                    && present(p) && text(p, "type", "").equals("BertPreTokenizer")
                    && (!present(d) || text(d, "type", "").equals("WordPiece"));
        }

        String modelType(JsonNode m) {
            String type = text(m, "type", null);
            if (type == null) {  // old files omit the tag; Hugging Face then recognises the model by its fields
                type = m.has("merges") ? "BPE" : m.has("max_input_chars_per_word") ? "WordPiece"
                        : m.has("vocab") && m.get("vocab").isArray() ? "Unigram" : "unknown";
            }
            return type;
        }

        WordPieceTokenizer tokenizer() {
            WordPiece model = model(required(root, "model"));
            BertNormalizer normalizer = normalizer(root.get("normalizer"));
            preTokenizer(root.get("pre_tokenizer"));
            List<AddedToken> added = addedTokens(root.get("added_tokens"));
            Map<String, Integer> ids = new HashMap<>();
            for (int i = 0; i < model.idToToken.length; i++) {
                if (model.idToToken[i] != null) {
                    ids.putIfAbsent(model.idToToken[i], i);
                }
            }
            for (AddedToken t : added) {
                ids.put(t.content(), t.id());
            }
            Template template = postProcessor(root.get("post_processor"), ids);
            JsonNode decoder = root.get("decoder");
            String prefix = null;
            boolean cleanup = false;
            if (present(decoder)) {
                String type = text(decoder, "type", "");
                if (!type.equals("WordPiece")) {
                    throw unsupported("decoder", type, "WordPiece");
                }
                prefix = text(decoder, "prefix", "##");
                cleanup = bool(decoder, "cleanup", true);
            }
            int maxLength = truncation(root.get("truncation"));
            JsonNode padding = root.get("padding");
            int padId = present(padding) && padding.has("pad_id") ? padding.get("pad_id").asInt() : -1;
            return new WordPieceTokenizer(model, normalizer, added, template, prefix, cleanup, maxLength, padId);
        }

        WordPiece model(JsonNode m) {
            String type = modelType(m);
            if (!type.equals("WordPiece")) {
                throw new IllegalArgumentException(source + ": model type " + type + " is not supported; "
                        + "mlm4j reads WordPiece (BERT-family) tokenizers only");
            }
            JsonNode vocabNode = required(m, "vocab");
            if (!vocabNode.isObject()) {
                throw new IllegalArgumentException(source + ": model.vocab is not an object of token → id");
            }
            Map<String, Integer> vocab = new HashMap<>(vocabNode.size() * 2);
            int maxId = -1;
            for (Iterator<Map.Entry<String, JsonNode>> it = vocabNode.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                int id = e.getValue().asInt(-1);
                if (id < 0) {
                    throw new IllegalArgumentException(source + ": model.vocab[" + e.getKey() + "] is not an id");
                }
                vocab.put(e.getKey(), id);
                maxId = Math.max(maxId, id);
            }
            String[] idToToken = new String[maxId + 1];
            vocab.forEach((t, id) -> idToToken[id] = t);
            return new WordPiece(new VocabTable(vocab), idToToken, text(m, "unk_token", "[UNK]"),
                    text(m, "continuing_subword_prefix", "##"), m.path("max_input_chars_per_word").asInt(100));
        }

        BertNormalizer normalizer(JsonNode n) {
            if (!present(n)) {
                return null;
            }
            String type = text(n, "type", "");
            if (!type.equals("BertNormalizer")) {
                throw unsupported("normalizer", type, "BertNormalizer");
            }
            boolean lowercase = bool(n, "lowercase", true);
            JsonNode strip = n.get("strip_accents");
            boolean stripAccents = present(strip) ? strip.asBoolean() : lowercase;  // null: follow lowercase
            return new BertNormalizer(bool(n, "clean_text", true), bool(n, "handle_chinese_chars", true),
                    stripAccents, lowercase);
        }

        private void preTokenizer(JsonNode p) {
            String type = present(p) ? text(p, "type", "") : "null";
            if (!type.equals("BertPreTokenizer")) {
                throw unsupported("pre_tokenizer", type, "BertPreTokenizer");
            }
        }

        List<AddedToken> addedTokens(JsonNode a) {
            List<AddedToken> out = new ArrayList<>();
            if (!present(a)) {
                return out;
            }
            for (JsonNode t : a) {
                out.add(new AddedToken(required(t, "id").asInt(), required(t, "content").asText(),
                        bool(t, "single_word", false), bool(t, "lstrip", false), bool(t, "rstrip", false),
                        bool(t, "normalized", !bool(t, "special", false)), bool(t, "special", false)));
            }
            return out;
        }

        Template postProcessor(JsonNode p, Map<String, Integer> ids) {
            if (!present(p)) {
                return Template.none();
            }
            String type = text(p, "type", "");
            switch (type) {
                case "BertProcessing" -> {
                    JsonNode cls = required(p, "cls");
                    JsonNode sep = required(p, "sep");
                    return Template.bert(cls.get(1).asInt(), cls.get(0).asText(), sep.get(1).asInt(),
                            sep.get(0).asText());
                }
                case "TemplateProcessing" -> {
                    JsonNode specials = p.path("special_tokens");
                    return new Template(template(required(p, "single"), specials, ids),
                            template(required(p, "pair"), specials, ids));
                }
                case "RobertaProcessing" -> {
                    JsonNode cls = required(p, "cls");
                    JsonNode sep = required(p, "sep");
                    Template.Special c = new Template.Special(new int[] {cls.get(1).asInt()},
                            new String[] {cls.get(0).asText()}, 0);
                    Template.Special s = new Template.Special(new int[] {sep.get(1).asInt()},
                            new String[] {sep.get(0).asText()}, 0);
                    return new Template(List.of(c, new Template.Sequence(0, 0), s),
                            List.of(c, new Template.Sequence(0, 0), s, s, new Template.Sequence(1, 0), s));
                }
                case "ByteLevel" -> {
                    return Template.none();
                }
                default -> throw unsupported("post_processor", type,
                        "TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel");
            }
        }

        private List<Template.Piece> template(JsonNode pieces, JsonNode specials, Map<String, Integer> ids) {
            List<Template.Piece> out = new ArrayList<>();
            for (JsonNode piece : pieces) {
                if (piece.has("Sequence")) {
                    JsonNode s = piece.get("Sequence");
                    String which = text(s, "id", "A");
                    out.add(new Template.Sequence(which.equals("A") ? 0 : 1, s.path("type_id").asInt(0)));
                } else if (piece.has("SpecialToken")) {
                    JsonNode s = piece.get("SpecialToken");
                    String name = text(s, "id", "");
                    JsonNode def = specials.get(name);
                    int[] tokenIds;
                    String[] tokens;
                    if (present(def)) {
                        JsonNode idsNode = required(def, "ids");
                        JsonNode tokensNode = required(def, "tokens");
                        tokenIds = new int[idsNode.size()];
                        tokens = new String[idsNode.size()];
                        for (int i = 0; i < tokenIds.length; i++) {
                            tokenIds[i] = idsNode.get(i).asInt();
                            tokens[i] = tokensNode.get(i).asText();
                        }
                    } else if (ids.containsKey(name)) {
                        tokenIds = new int[] {ids.get(name)};
                        tokens = new String[] {name};
                    } else {
                        throw new IllegalArgumentException(source + ": post_processor uses special token " + name
                                + " which is neither in special_tokens nor in the vocabulary");
                    }
                    out.add(new Template.Special(tokenIds, tokens, s.path("type_id").asInt(0)));
                } else {
                    throw new IllegalArgumentException(source + ": unknown post_processor template piece " + piece);
                }
            }
            return List.copyOf(out);
        }

        int truncation(JsonNode t) {
            if (!present(t)) {
                return WordPieceTokenizer.DEFAULT_MAX_LENGTH;
            }
            String strategy = text(t, "strategy", "LongestFirst");
            String direction = text(t, "direction", "Right");
            if (!strategy.equals("LongestFirst") || !direction.equals("Right")) {
                throw new IllegalArgumentException(source + ": truncation " + strategy + " from the " + direction
                        + " is not supported (only LongestFirst from the Right)");
            }
            return required(t, "max_length").asInt();
        }

        IllegalArgumentException unsupported(String what, String found, String supported) {
            return new IllegalArgumentException(source + ": " + what + " '" + found + "' is not supported (supported: "
                    + supported + ")");
        }

        JsonNode required(JsonNode n, String field) {
            JsonNode v = n.get(field);
            if (!present(v)) {
                throw new IllegalArgumentException(source + ": missing field '" + field + "'");
            }
            return v;
        }

        static boolean present(JsonNode n) {
            return n != null && !n.isNull() && !n.isMissingNode();
        }

        static String text(JsonNode n, String field, String fallback) {
            JsonNode v = n.get(field);
            return present(v) ? v.asText() : fallback;
        }

        static boolean bool(JsonNode n, String field, boolean fallback) {
            JsonNode v = n.get(field);
            return present(v) ? v.asBoolean() : fallback;
        }
    }

    /** The generic pipeline: every normalizer, pre-tokenizer, model and decoder mlm4j supports. */
    private record PipelineReader(JsonNode root, String source, Reader r) {

        PipelineTokenizer tokenizer() {
            Model model = model(r.required(root, "model"));
            JsonNode n = root.get("normalizer");
            Normalizer normalizer = Reader.present(n) ? normalizer(n) : null;
            JsonNode p = root.get("pre_tokenizer");
            PreTokenizer pre = Reader.present(p) ? preTokenizer(p) : null;
            List<AddedToken> added = r.addedTokens(root.get("added_tokens"));
            Map<String, Integer> ids = new HashMap<>();
            String[] own = model.idToToken();
            for (int i = 0; i < own.length; i++) {
                if (own[i] != null) {
                    ids.putIfAbsent(own[i], i);
                }
            }
            for (AddedToken t : added) {
                ids.put(t.content(), t.id());
            }
            JsonNode post = root.get("post_processor");
            Template template = r.postProcessor(post, ids);
            Boolean trim = null;
            if (Reader.present(post) && Reader.text(post, "type", "").matches("RobertaProcessing|ByteLevel")
                    && Reader.bool(post, "trim_offsets", true)) {
                trim = Reader.bool(post, "add_prefix_space", true);
            }
            JsonNode padding = root.get("padding");
            int padId = Reader.present(padding) && padding.has("pad_id") ? padding.get("pad_id").asInt() : -1;
            return new PipelineTokenizer(normalizer, pre, model, added, template, trim, decoder(root.get("decoder")),
                    r.truncation(root.get("truncation")), padId, lowercases(n));
        }

        private Model model(JsonNode m) {
            String type = r.modelType(m);
            switch (type) {
                case "BPE" -> {
                    if (Reader.present(m.get("dropout")) && m.get("dropout").asDouble() > 0) {
                        throw new IllegalArgumentException(source + ": BPE dropout " + m.get("dropout")
                                + " is not supported (it makes tokenization random)");
                    }
                    JsonNode vocabNode = r.required(m, "vocab");
                    Map<String, Integer> vocab = new HashMap<>(vocabNode.size() * 2);
                    int maxId = -1;
                    for (Iterator<Map.Entry<String, JsonNode>> it = vocabNode.fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> e = it.next();
                        vocab.put(e.getKey(), e.getValue().asInt());
                        maxId = Math.max(maxId, e.getValue().asInt());
                    }
                    String[] idToToken = new String[maxId + 1];
                    vocab.forEach((t, id) -> idToToken[id] = t);
                    List<String[]> merges = new ArrayList<>();
                    for (JsonNode merge : m.path("merges")) {
                        if (merge.isArray()) {  // tokenizers ≥ 0.20: ["a", "b"]
                            merges.add(new String[] {merge.get(0).asText(), merge.get(1).asText()});
                        } else {                // older files: "a b"
                            String t = merge.asText();
                            int sp = t.indexOf(' ', 1);
                            if (sp < 0) {
                                throw new IllegalArgumentException(source + ": BPE merge '" + t + "' is not 'a b'");
                            }
                            merges.add(new String[] {t.substring(0, sp), t.substring(sp + 1)});
                        }
                    }
                    return new Bpe(vocab, idToToken, merges, Reader.text(m, "unk_token", null),
                            Reader.text(m, "continuing_subword_prefix", ""), Reader.text(m, "end_of_word_suffix", ""),
                            Reader.bool(m, "fuse_unk", false), Reader.bool(m, "byte_fallback", false),
                            Reader.bool(m, "ignore_merges", false));
                }
                case "Unigram" -> {
                    JsonNode vocab = r.required(m, "vocab");
                    String[] pieces = new String[vocab.size()];
                    double[] scores = new double[vocab.size()];
                    for (int i = 0; i < pieces.length; i++) {
                        pieces[i] = vocab.get(i).get(0).asText();
                        scores[i] = vocab.get(i).get(1).asDouble();
                    }
                    JsonNode unk = m.get("unk_id");
                    return new Unigram(pieces, scores, Reader.present(unk) ? unk.asInt() : -1,
                            Reader.bool(m, "byte_fallback", false));
                }
                case "WordPiece" -> {
                    WordPiece wp = r.model(m);
                    return new Model() {
                        @Override
                        public void tokenize(AlignedText word, TokenList out) {
                            wp.tokenize(word, 0, word.length, new WordPiece.Scratch(), out);
                        }

                        @Override
                        public String[] idToToken() {
                            return wp.idToToken;
                        }

                        @Override
                        public int id(String token) {
                            return wp.vocab.get(token);
                        }

                        @Override
                        public int unkId() {
                            return wp.unkId;
                        }
                    };
                }
                default -> throw r.unsupported("model", type, "WordPiece, BPE, Unigram");
            }
        }

        private Normalizer normalizer(JsonNode n) {
            String type = Reader.text(n, "type", "");
            return switch (type) {
                case "BertNormalizer" -> r.normalizer(n);
                case "Sequence" -> {
                    List<Normalizer> list = new ArrayList<>();
                    for (JsonNode c : r.required(n, "normalizers")) {
                        list.add(normalizer(c));
                    }
                    yield new Normalizers.Sequence(List.copyOf(list));
                }
                case "Lowercase" -> new Normalizers.Lowercase();
                case "Strip" -> new Normalizers.Strip(Reader.bool(n, "strip_left", true), Reader.bool(n, "strip_right", true));
                case "Replace" -> new Normalizers.Replace(pattern(r.required(n, "pattern")),
                        Reader.text(n, "content", "").codePoints().toArray());
                case "Prepend" -> new Normalizers.Prepend(Reader.text(n, "prepend", ""));
                case "NFC" -> new Normalizers.Unicode(java.text.Normalizer.Form.NFC);
                case "NFD" -> new Normalizers.Unicode(java.text.Normalizer.Form.NFD);
                case "NFKC" -> new Normalizers.Unicode(java.text.Normalizer.Form.NFKC);
                case "NFKD" -> new Normalizers.Unicode(java.text.Normalizer.Form.NFKD);
                case "Precompiled" -> {
                    JsonNode map = n.get("precompiled_charsmap");
                    yield Reader.present(map) && !map.asText().isEmpty()
                            ? new Normalizers.Precompiled(PrecompiledCharsmap.fromBase64(map.asText()))
                            : new Normalizers.Sequence(List.of());
                }
                default -> throw r.unsupported("normalizer", type,
                        "BertNormalizer, Precompiled, NFC, NFD, NFKC, NFKD, Lowercase, Strip, Replace, Prepend, Sequence");
            };
        }

        private static boolean lowercases(JsonNode n) {
            if (!Reader.present(n)) {
                return false;
            }
            String type = Reader.text(n, "type", "");
            if (type.equals("Lowercase")) {
                return true;
            }
            if (type.equals("BertNormalizer")) {
                return Reader.bool(n, "lowercase", true);
            }
            if (type.equals("Sequence")) {
                for (JsonNode c : n.path("normalizers")) {
                    if (lowercases(c)) {
                        return true;
                    }
                }
            }
            return false;
        }

        private Pattern pattern(JsonNode p) {
            if (p.has("Regex")) {
                return Pattern.compile(onigWordClasses(p.get("Regex").asText()), Pattern.UNICODE_CHARACTER_CLASS);
            }
            if (p.has("String")) {
                return Pattern.compile(Pattern.quote(p.get("String").asText()));
            }
            throw new IllegalArgumentException(source + ": pattern " + p + " is neither a String nor a Regex");
        }

        /**
         * A Split or Replace regex as Hugging Face runs it, with Oniguruma: its Unicode {@code \w} is Java's
         * {@code UNICODE_CHARACTER_CLASS} {@code \w} but for eight code points (checked over every one below U+30000,
         * tokenizers 0.23.2): ¹ ² ³ ¼ ½ ¾ are word characters, U+200C and U+200D are not. {@code \w} and
         * {@code \W} are spelled out so; the rest ({@code \s}, {@code \d}, {@code \p{L}}, {@code \p{N}},
         * {@code \p{P}}) already agree.
         */
        static String onigWordClasses(String regex) {
            StringBuilder sb = new StringBuilder(regex.length() + 16);
            for (int i = 0; i < regex.length(); i++) {
                char c = regex.charAt(i);
                if (c == '\\' && i + 1 < regex.length()) {
                    char n = regex.charAt(++i);
                    if (n == 'w') {
                        sb.append("[\\w\\u00B2\\u00B3\\u00B9\\u00BC-\\u00BE&&[^\\u200C\\u200D]]");
                    } else if (n == 'W') {
                        sb.append("[[^\\w\\u00B2\\u00B3\\u00B9\\u00BC-\\u00BE]\\u200C\\u200D]");
                    } else {
                        sb.append(c).append(n);
                    }
                } else {
                    sb.append(c);
                }
            }
            return sb.toString();
        }

        private PreTokenizer preTokenizer(JsonNode p) {
            String type = Reader.text(p, "type", "");
            return switch (type) {
                case "BertPreTokenizer" -> new PreTokenizer.Bert();
                case "WhitespaceSplit" -> new PreTokenizer.WhitespaceSplit();
                case "Whitespace" -> PreTokenizer.Split.whitespace();
                case "Sequence" -> {
                    List<PreTokenizer> list = new ArrayList<>();
                    for (JsonNode c : r.required(p, "pretokenizers")) {
                        list.add(preTokenizer(c));
                    }
                    yield new PreTokenizer.Sequence(List.copyOf(list));
                }
                case "Metaspace" -> new PreTokenizer.Metaspace(Reader.text(p, "replacement", "\u2581").codePointAt(0),
                        prependScheme(p), Reader.bool(p, "split", true));
                case "ByteLevel" -> new PreTokenizer.ByteLevel(Reader.bool(p, "add_prefix_space", true),
                        Reader.bool(p, "use_regex", true));
                case "Split" -> new PreTokenizer.Split(pattern(r.required(p, "pattern")),
                        Reader.text(p, "behavior", "Removed"), Reader.bool(p, "invert", false));
                default -> throw r.unsupported("pre_tokenizer", type,
                        "ByteLevel, Metaspace, WhitespaceSplit, Whitespace, BertPreTokenizer, Split, Sequence");
            };
        }

        /** Metaspace's prepend_scheme; files older than tokenizers 0.14 say add_prefix_space instead. */
        private static String prependScheme(JsonNode p) {
            String scheme = Reader.text(p, "prepend_scheme", null);
            if (scheme != null) {
                return scheme;
            }
            return Reader.bool(p, "add_prefix_space", true) ? "always" : "never";
        }

        private PipelineTokenizer.Decoder decoder(JsonNode d) {
            if (!Reader.present(d)) {
                return null;
            }
            String type = Reader.text(d, "type", "");
            return switch (type) {
                case "ByteLevel" -> new PipelineTokenizer.Decoder(type, 0, "", "", false);
                case "Metaspace" -> new PipelineTokenizer.Decoder(type,
                        Reader.text(d, "replacement", "\u2581").codePointAt(0), prependScheme(d), "", false);
                case "WordPiece" -> new PipelineTokenizer.Decoder(type, 0, "", Reader.text(d, "prefix", "##"),
                        Reader.bool(d, "cleanup", true));
                default -> throw r.unsupported("decoder", type, "ByteLevel, Metaspace, WordPiece");
            };
        }
    }
}
