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

/**
 * Reads a Hugging Face {@code tokenizer.json} (the serialization of {@code tokenizers::Tokenizer}) into a
 * {@link WordPieceTokenizer}. The only place that knows the file's field names. Supported: model WordPiece,
 * normalizer BertNormalizer (or none), pre_tokenizer BertPreTokenizer, post_processor TemplateProcessing /
 * BertProcessing (or none), decoder WordPiece (or none), added_tokens, truncation LongestFirst on the right.
 */
final class TokenizerJson {

    private TokenizerJson() {
    }

    static WordPieceTokenizer read(InputStream in, String source) throws IOException {
        JsonNode root = new ObjectMapper().readTree(in);
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": not a tokenizer.json (no JSON object)");
        }
        return new TokenizerJson.Reader(root, source).tokenizer();
    }

    private record Reader(JsonNode root, String source) {

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

        private WordPiece model(JsonNode m) {
            String type = text(m, "type", null);
            if (type == null) {  // old files omit the tag; Hugging Face then recognises the model by its fields
                type = m.has("merges") ? "BPE" : m.has("max_input_chars_per_word") ? "WordPiece"
                        : m.has("vocab") && m.get("vocab").isArray() ? "Unigram" : "unknown";
            }
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

        private BertNormalizer normalizer(JsonNode n) {
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

        private List<AddedToken> addedTokens(JsonNode a) {
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

        private Template postProcessor(JsonNode p, Map<String, Integer> ids) {
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
                default -> throw unsupported("post_processor", type, "TemplateProcessing, BertProcessing");
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

        private int truncation(JsonNode t) {
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

        private IllegalArgumentException unsupported(String what, String found, String supported) {
            return new IllegalArgumentException(source + ": " + what + " '" + found + "' is not supported (supported: "
                    + supported + ")");
        }

        private JsonNode required(JsonNode n, String field) {
            JsonNode v = n.get(field);
            if (!present(v)) {
                throw new IllegalArgumentException(source + ": missing field '" + field + "'");
            }
            return v;
        }

        private static boolean present(JsonNode n) {
            return n != null && !n.isNull() && !n.isMissingNode();
        }

        private static String text(JsonNode n, String field, String fallback) {
            JsonNode v = n.get(field);
            return present(v) ? v.asText() : fallback;
        }

        private static boolean bool(JsonNode n, String field, boolean fallback) {
            JsonNode v = n.get(field);
            return present(v) ? v.asBoolean() : fallback;
        }
    }
}
