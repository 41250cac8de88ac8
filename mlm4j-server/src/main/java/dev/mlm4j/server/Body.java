package dev.mlm4j.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A request body: read with a byte limit, parsed as strict JSON (UTF-8, no trailing data, bounded nesting
 * and number length), and read field by field with a 400 that names the field for anything unexpected.
 * Unknown fields are ignored, as TEI and OpenAI do.
 */
final class Body {

    /** Nesting deeper than this is refused (no request shape here nests more than 4 levels). */
    static final int MAX_DEPTH = 32;

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_DEPTH)
                .maxNumberLength(64)
                .build());
    }

    private final ObjectNode root;
    private final String path;   // where root is in the request, for messages: "" or e.g. "inputs."

    private Body(ObjectNode root) {
        this(root, "");
    }

    private Body(ObjectNode root, String path) {
        this.root = root;
        this.path = path;
    }

    /** {@code field}'s full name in the request, as messages give it ({@code inputs.sentences} in a nested object). */
    private String name(String field) {
        return path + field;
    }

    /** Reads at most {@code limit} bytes (413 beyond) and parses them as one JSON object (400 otherwise). */
    static Body read(InputStream in, long declaredLength, long limit) throws IOException {
        if (declaredLength > limit) throw payloadTooLarge(limit);
        byte[] bytes = readLimited(in, limit);
        if (bytes.length == 0) throw ApiError.validation("the request body is empty; send a JSON object");
        return parse(bytes);
    }

    static Body parse(byte[] bytes) {
        JsonNode node;
        try (JsonParser p = JSON.getFactory().createParser(bytes)) {
            node = JSON.readTree(p);
        } catch (JsonProcessingException e) {
            throw ApiError.validation("the body is not valid JSON: " + oneLine(withoutJavaNames(e.getOriginalMessage())));
        } catch (IOException e) {
            throw ApiError.validation("the body could not be read as JSON: " + oneLine(e.getMessage()));
        }
        if (node == null || !node.isObject()) {
            throw ApiError.validation("the body must be a JSON object, got " + kind(node));
        }
        String lone = loneSurrogate(node, "");
        if (lone != null) throw ApiError.validation("the body is not valid JSON: " + lone);
        return new Body((ObjectNode) node);
    }

    /**
     * Where a string of the tree holds an escaped surrogate without its other half ({@code "a\ud800b"}), or null. Jackson
     * accepts one; the tokenizers then drop it and byte offsets count it as 3 bytes, so the answer would be about
     * another text. TEI (serde_json) refuses such a body, as strict JSON parsers do.
     */
    private static String loneSurrogate(JsonNode n, String path) {
        if (n.isTextual()) {
            String s = n.textValue();
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else if (Character.isSurrogate(c)) {
                    return "`" + path + "` has a lone surrogate \\u" + Integer.toHexString(c)
                            + " at character " + (s.codePointCount(0, i) + 1) + " (not a Unicode character)";
                }
            }
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                String r = loneSurrogate(n.get(i), path + "[" + i + "]");
                if (r != null) return r;
            }
        } else if (n.isObject()) {
            for (var e : n.properties()) {
                String r = loneSurrogate(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey());
                if (r != null) return r;
            }
        }
        return null;
    }

    private static byte[] readLimited(InputStream in, long limit) throws IOException {
        byte[] buf = new byte[(int) Math.min(limit + 1, 64 * 1024)];
        int n = 0;
        while (true) {
            if (n == buf.length) {
                if (n > limit) throw payloadTooLarge(limit);
                buf = java.util.Arrays.copyOf(buf, (int) Math.min(limit + 1, (long) buf.length * 2));
            }
            int r = in.read(buf, n, buf.length - n);
            if (r < 0) break;
            n += r;
            if (n > limit) throw payloadTooLarge(limit);
        }
        return java.util.Arrays.copyOf(buf, n);
    }

    static ApiError payloadTooLarge(long limit) {
        return ApiError.tooLarge("the request body is over the server's limit of " + limit + " bytes (--payload-limit)");
    }

    JsonNode get(String field) {
        JsonNode n = root.get(field);
        return n == null || n.isNull() ? null : n;
    }

    boolean has(String field) {
        return get(field) != null;
    }

    /** A required field. */
    JsonNode require(String field) {
        JsonNode n = get(field);
        if (n == null) throw ApiError.validation("missing field `" + name(field) + "`");
        return n;
    }

    /** The JSON object itself. */
    ObjectNode objectNode() {
        return root;
    }

    /** A nested object field, or an empty body if absent. */
    Body object(String field) {
        JsonNode n = get(field);
        if (n == null) return new Body(JSON.createObjectNode(), name(field) + ".");
        if (!n.isObject()) throw wrongType(name(field), "an object", n);
        return new Body((ObjectNode) n, name(field) + ".");
    }

    boolean bool(String field, boolean otherwise) {
        JsonNode n = get(field);
        if (n == null) return otherwise;
        if (!n.isBoolean()) throw wrongType(name(field), "true or false", n);
        return n.booleanValue();
    }

    String string(String field, String otherwise) {
        JsonNode n = get(field);
        if (n == null) return otherwise;
        if (!n.isTextual()) throw wrongType(name(field), "a string", n);
        return n.textValue();
    }

    /** An optional integer in [min, max]; absent gives null. */
    Integer integer(String field, int min, int max) {
        JsonNode n = get(field);
        if (n == null) return null;
        return checkInt(n, "`" + name(field) + "`", min, max);
    }

    static int checkInt(JsonNode n, String what, int min, int max) {
        if (!n.isIntegralNumber() && !(n.isNumber() && n.asDouble() == Math.rint(n.asDouble()) && !n.isBigDecimal())) {
            throw ApiError.validation(what + " must be an integer, got " + kind(n));
        }
        if (!n.canConvertToLong() || n.longValue() < min || n.longValue() > max) {
            throw ApiError.validation(what + " must be between " + min + " and " + max + ", got " + abbreviate(n.asText()));
        }
        return (int) n.longValue();
    }

    /** A string or a non-empty list of strings (TEI's {@code Input}); at most {@code maxInputs}. */
    List<String> texts(String field, int maxInputs) {
        JsonNode n = require(field);
        if (n.isTextual()) return List.of(n.textValue());
        if (!n.isArray()) throw wrongType(name(field), "a string or a list of strings", n);
        if (n.isEmpty()) throw ApiError.empty("`" + name(field) + "` is an empty list");
        return strings(n, name(field), maxInputs);
    }

    /** A list of strings (a single string counts as a list of one), possibly limited; absent gives an empty list. */
    List<String> stringList(String field, int maxItems) {
        JsonNode n = get(field);
        if (n == null) return List.of();
        if (n.isTextual()) return List.of(n.textValue());
        if (!n.isArray()) throw wrongType(name(field), "a list of strings", n);
        return strings(n, name(field), maxItems);
    }

    /** The items of the list {@code n} (of {@code field}), each a string, at most {@code max} of them. */
    static List<String> strings(JsonNode n, String field, int max) {
        checkCount(field, n.size(), max);
        List<String> out = new ArrayList<>(n.size());
        for (int i = 0; i < n.size(); i++) {
            JsonNode t = n.get(i);
            if (!t.isTextual()) throw ApiError.validation("`" + field + "[" + i + "]` must be a string, got " + kind(t));
            out.add(t.textValue());
        }
        return out;
    }

    /** TEI's {@code truncation_direction}: only "Right" (any case) is supported; "Left" is refused with 400. */
    void rightTruncationOnly() {
        String dir = string("truncation_direction", "Right");
        if (!dir.equalsIgnoreCase("right")) {
            throw ApiError.validation("`" + name("truncation_direction") + "` \"" + abbreviate(dir) + "\" is not supported: only \"Right\"");
        }
    }

    static void checkCount(String field, int count, int max) {
        if (count > max) {
            throw ApiError.tooLarge("`" + field + "` has " + count + " items; the server takes at most " + max
                    + " per request (--max-client-batch-size)");
        }
    }

    static ApiError wrongType(String field, String expected, JsonNode got) {
        return ApiError.validation("`" + field + "` must be " + expected + ", got " + kind(got));
    }

    static String kind(JsonNode n) {
        if (n == null || n.isNull()) return "null";
        if (n.isTextual()) return "a string";
        if (n.isBoolean()) return "a boolean";
        if (n.isNumber()) return "a number";
        if (n.isArray()) return "a list";
        if (n.isObject()) return "an object";
        return n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    }

    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "…";
    }

    /**
     * Jackson's message without the parts that name its Java classes and settings (" (bound as `…JsonNode`)",
     * ": not allowed as per `DeserializationFeature…`", ", from `StreamReadConstraints…`"): a client needs the what, not those.
     */
    static String withoutJavaNames(String s) {
        if (s == null) return null;
        return s.replaceAll(" ?\\(bound as `[^`]*`\\)", "")
                .replaceAll(":? ?not allowed as per `[^`]*`", "")
                .replaceAll(", from `[^`]*`", "")
                .replaceAll(" \\(`[A-Za-z.]*StreamReadConstraints[^`]*`\\)", "")
                .trim();
    }

    static String oneLine(String s) {
        if (s == null) return "";
        s = s.replace('\n', ' ').replace('\r', ' ').trim();
        return s.length() <= 200 ? s : s.substring(0, 197) + "…";
    }
}
