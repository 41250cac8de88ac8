package dev.mlm4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlm4j.tokens.Encoding;
import dev.mlm4j.tokens.Tokenizer;
import io.javalin.http.Context;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * POST /tokenize and POST /decode, in TEI's shapes. Tokenizing needs no model run, so these are answered
 * on the request's own thread, without batching.
 */
final class TextRoutes {

    /** JSON of one token of /tokenize without its text: {"id":…,"text":"","special":false,"start":…,"stop":…}, */
    static final int BYTES_PER_TOKEN = 72;

    private final MlmServer server;

    TextRoutes(MlmServer server) {
        this.server = server;
    }

    /**
     * {@code {"inputs": "text" | ["text", …], "add_special_tokens": true, "model": optional}} →
     * {@code [[{"id", "text", "special", "start", "stop"}, …], …]}, one list per input. As TEI, start and stop
     * are UTF-8 byte offsets into the input ({@code null} for special tokens, whose text is the token itself). For a model
     * with prompts (e5-small-v2's {@code "query: "}, {@code "passage: "}), {@code "prompt_name"} picks one as on /embed
     * (default: the query marker) and the tokens and offsets are those of the prompt and text together, as TEI's.
     */
    void tokenize(Context ctx) {
        Body b = server.body(ctx);
        ServedModel m = model(b);
        List<String> inputs = new ArrayList<>(b.texts("inputs", server.options.maxClientBatchSize()));
        boolean special = b.bool("add_special_tokens", true);
        // the tokens /embed runs: an embedding model's prompt (prompt_name, else its query marker) before each text
        dev.mlm4j.pipelines.FeatureExtraction fe = m.supports(ServedModel.Task.EMBEDDINGS) ? m.embeddings() : null;
        if (fe != null) {
            dev.mlm4j.pipelines.FeatureExtraction.Input kind = EmbeddingRoutes.kind(b, "prompt_name", fe, true);
            inputs.replaceAll(text -> fe.prefixes().apply(text, kind));
        } else if (b.has("prompt_name")) {
            throw ApiError.validation("`prompt_name` is not supported for this model: it has no prompts");
        }
        List<Encoding> encodings = new ArrayList<>(inputs.size());
        long reply = 0;
        for (String text : inputs) {
            Encoding e = m.tokenizer().encode(text, Integer.MAX_VALUE, false);
            encodings.add(e);
            // One object per token ({"id","text","special","start","stop"}) plus the token's text.
            reply += (long) e.length() * BYTES_PER_TOKEN + utf8Length(text);
            if (reply > server.options.maxReplyBytes()) break;   // no need to tokenize the rest to refuse it
        }
        server.admit(ctx, 0, reply, "tokens × {id, text, special, start, stop}");
        List<List<Map<String, Object>>> out = new ArrayList<>(inputs.size());
        for (int n = 0; n < inputs.size(); n++) {
            String text = inputs.get(n);
            Encoding e = encodings.get(n);
            int[] bytes = utf8Offsets(text);
            List<Map<String, Object>> tokens = new ArrayList<>(e.length());
            for (int i = 0; i < e.length(); i++) {
                if (e.special()[i] && !special) continue;
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("id", e.ids()[i]);
                boolean hasOffsets = e.start()[i] >= 0;
                t.put("text", hasOffsets ? text.substring(e.start()[i], e.end()[i]) : e.tokens()[i]);
                t.put("special", e.special()[i]);
                t.put("start", hasOffsets ? bytes[e.start()[i]] : null);
                t.put("stop", hasOffsets ? bytes[e.end()[i]] : null);
                tokens.add(t);
            }
            out.add(tokens);
        }
        MlmServer.json(ctx, 200, out);
    }

    /** {@code {"ids": [id, …] | [[id, …], …], "skip_special_tokens": true}} → {@code ["text", …]}. */
    void decode(Context ctx) {
        Body b = server.body(ctx);
        ServedModel m = model(b);
        Tokenizer tok = m.tokenizer();
        JsonNode ids = b.require("ids");
        if (!ids.isArray()) throw Body.wrongType("ids", "a list of token ids or a list of such lists", ids);
        boolean skip = b.bool("skip_special_tokens", true);
        List<int[]> sequences = new ArrayList<>();
        if (!ids.isEmpty() && ids.get(0).isArray()) {
            Body.checkCount("ids", ids.size(), server.options.maxClientBatchSize());
            for (int s = 0; s < ids.size(); s++) {
                JsonNode seq = ids.get(s);
                if (!seq.isArray()) throw ApiError.validation("`ids[" + s + "]` must be a list of token ids, got " + Body.kind(seq));
                sequences.add(ids(seq, "ids[" + s + "]", tok.vocabSize()));
            }
        } else {
            sequences.add(ids(ids, "ids", tok.vocabSize()));
        }
        List<String> out = new ArrayList<>(sequences.size());
        for (int[] seq : sequences) out.add(tok.decode(seq, skip));
        MlmServer.json(ctx, 200, out);
    }

    private ServedModel model(Body b) {
        String name = b.string("model", null);
        if (name == null) return server.models.getFirst();
        for (ServedModel m : server.models) if (m.name().equals(name)) return m;
        return server.model(name, ServedModel.Task.EMBEDDINGS);   // throws the 404 with the list of models
    }

    static int[] ids(JsonNode list, String what, int vocab) {
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Body.checkInt(list.get(i), "`" + what + "[" + i + "]`", 0, vocab - 1);
        }
        return out;
    }

    /** The UTF-8 length of {@code s}. */
    static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            n += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return n;
    }

    /** bytes[i] = UTF-8 length of text[0, i) in UTF-16 units; defined for i in [0, length]. */
    static int[] utf8Offsets(String text) {
        int[] bytes = new int[text.length() + 1];
        int b = 0;
        for (int i = 0; i < text.length(); i++) {
            bytes[i] = b;
            char c = text.charAt(i);
            if (c < 0x80) b += 1;
            else if (c < 0x800) b += 2;
            else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                b += 4;
                bytes[++i] = b;       // the low surrogate sits inside the 4-byte sequence; point it past it
                continue;
            } else b += 3;
        }
        bytes[text.length()] = b;
        return bytes;
    }
}
