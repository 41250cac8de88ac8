package dev.mlm4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlm4j.pipelines.FeatureExtraction;
import dev.mlm4j.pipelines.Pooling;
import dev.mlm4j.pipelines.Similarity;
import dev.mlm4j.tokens.Encoding;
import dev.mlm4j.tokens.Tokenizer;
import io.javalin.http.Context;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The embedding routes: TEI's POST /embed, /embed_all and /similarity, and OpenAI's POST /v1/embeddings
 * (and GET /v1/models), all over {@link FeatureExtraction} through the model's batcher. Requests with the
 * same pooling, normalisation, truncation and kind of text share batches; dimensions are applied per request afterwards.
 *
 * <p>A model trained with a marker before each kind of text (e5-small-v2: {@code "query: "}, {@code "passage: "})
 * gets the query marker unless told otherwise, as {@code ./mlm4j embed} does; a request says "these are documents"
 * in its API's idiom: TEI's {@code "prompt_name": "passage"} (the name of a sentence-transformers prompt) on /embed
 * and /embed_all, {@code "input_type": "passage"} on /v1/embeddings (as OpenAI-compatible servers of E5 models
 * such as NVIDIA NIM's name it). /similarity compares texts of one kind: queries, the model card's advice.
 */
final class EmbeddingRoutes {

    /** Most bytes of one number in a JSON reply ({@code -0.012345678,} or {@code 1.2345678E-5,}). */
    static final int BYTES_PER_NUMBER = 14;

    private final MlmServer server;

    EmbeddingRoutes(MlmServer server) {
        this.server = server;
    }

    /**
     * TEI: {@code {"inputs": str | [str], "normalize": true, "truncate": false, "truncation_direction": "Right",
     * "dimensions": d, "model": name}} → {@code [[f32, …], …]}.
     */
    void embed(Context ctx) {
        Body b = server.body(ctx);
        ServedModel m = server.model(b.string("model", null), ServedModel.Task.EMBEDDINGS);
        FeatureExtraction fe = m.embeddings();
        List<Input> inputs = inputs(b, "inputs", m);
        b.rightTruncationOnly();
        boolean normalize = b.bool("normalize", true);
        Integer dims = b.integer("dimensions", 1, fe.dimension());
        FeatureExtraction.Options o = options(fe, null, normalize, b.bool("truncate", server.options.autoTruncate()))
                .withInput(kind(b, "prompt_name", fe, true));
        List<float[]> out = new ArrayList<>();
        long reply = (long) inputs.size() * (dims == null ? fe.dimension() : dims) * BYTES_PER_NUMBER;
        for (FeatureExtraction.Embedding e : run(ctx, m, o, inputs, "inputs", 0, reply, "inputs × dimensions"))
            out.add(shorten(e.vector(), dims, normalize));
        MlmServer.json(ctx, 200, out);
    }

    /** TEI: {@code {"inputs", "truncate", "model"}} → one (tokens, hidden) list per input: the last hidden state. */
    void embedAll(Context ctx) {
        Body b = server.body(ctx);
        ServedModel m = server.model(b.string("model", null), ServedModel.Task.EMBEDDINGS);
        List<Input> inputs = inputs(b, "inputs", m);
        b.rightTruncationOnly();
        FeatureExtraction fe = m.embeddings();
        FeatureExtraction.Options o = options(fe, Pooling.NONE, false, b.bool("truncate", server.options.autoTruncate()))
                .withInput(kind(b, "prompt_name", fe, true));
        List<float[][]> out = new ArrayList<>();
        for (FeatureExtraction.Embedding e : run(ctx, m, o, inputs, "inputs", (long) fe.dimension() * BYTES_PER_NUMBER, 0,
                "tokens × " + fe.dimension() + " numbers")) out.add(e.tokenVectors());
        MlmServer.json(ctx, 200, out);
    }

    /**
     * TEI: {@code {"inputs": {"source_sentence": str, "sentences": [str]}, "parameters": {"truncate"}, "model"}} →
     * the cosine similarity of the source with each sentence, in order.
     */
    void similarity(Context ctx) {
        Body b = server.body(ctx);
        ServedModel m = server.model(b.string("model", null), ServedModel.Task.EMBEDDINGS);
        Body in = b.object("inputs");
        if (!b.has("inputs")) throw ApiError.validation("missing field `inputs`");
        String source = in.string("source_sentence", null);
        if (source == null) throw ApiError.validation("missing field `inputs.source_sentence`");
        List<String> sentences = in.stringList("sentences", server.options.maxClientBatchSize());
        if (!in.has("sentences")) throw ApiError.validation("missing field `inputs.sentences`");
        if (sentences.isEmpty()) throw ApiError.empty("`inputs.sentences` is an empty list");
        Body params = b.object("parameters");
        params.rightTruncationOnly();
        if (params.string("prompt_name", null) != null) {
            throw ApiError.validation("`prompt_name` is not supported on /similarity: it compares texts of one kind, as queries");
        }
        FeatureExtraction.Options o = options(m.embeddings(), null, null, params.bool("truncate", server.options.autoTruncate()));
        List<Input> all = new ArrayList<>(sentences.size() + 1);
        all.add(new Input(source, null));
        for (String sentence : sentences) all.add(new Input(sentence, null));
        // the source is input 0 of the batch, the sentences 1…n: an over-length one is named as the request has it
        IntFunction<String> name = i -> i == 0 ? "inputs.source_sentence" : "inputs.sentences[" + (i - 1) + "]";
        List<FeatureExtraction.Embedding> v = run(ctx, m, o, all, name, false, 0, 24L * all.size(), "one score per sentence");
        List<Double> scores = new ArrayList<>(sentences.size());
        for (int i = 1; i < v.size(); i++) scores.add(Similarity.cosine(v.getFirst().vector(), v.get(i).vector()));
        MlmServer.json(ctx, 200, scores);
    }

    /**
     * OpenAI: {@code {"input": str | [str] | [int] | [[int]], "model": name, "encoding_format": "float" | "base64",
     * "dimensions": d, "user": …}} → {@code {"object": "list", "data": [{"object": "embedding", "embedding", "index"}],
     * "model", "usage": {"prompt_tokens", "total_tokens"}}}. Vectors are the model's own (its pooling and
     * normalisation); with {@code dimensions} they are cut and, if the model normalises, normalised again.
     */
    void openAi(Context ctx) {
        Body b = server.body(ctx);
        ServedModel m = server.model(b.string("model", null), ServedModel.Task.EMBEDDINGS);
        FeatureExtraction fe = m.embeddings();
        List<Input> inputs = inputs(b, "input", m);
        String format = b.string("encoding_format", "float");
        if (!format.equals("float") && !format.equals("base64")) {
            throw ApiError.validation("`encoding_format` must be \"float\" or \"base64\", got \"" + Body.abbreviate(format) + "\"");
        }
        b.string("user", null);
        Integer dims = b.integer("dimensions", 1, fe.dimension());
        FeatureExtraction.Options o = options(fe, null, null, server.options.autoTruncate()).withInput(kind(b, "input_type", fe, false));
        long perVector = (long) (dims == null ? fe.dimension() : dims) * (format.equals("base64") ? 6 : BYTES_PER_NUMBER) + 64;
        List<FeatureExtraction.Embedding> es = run(ctx, m, o, inputs, "input", 0, perVector * inputs.size(), "inputs × dimensions");
        List<Map<String, Object>> data = new ArrayList<>(es.size());
        long tokens = 0;
        for (int i = 0; i < es.size(); i++) {
            FeatureExtraction.Embedding e = es.get(i);
            float[] v = shorten(e.vector(), dims, fe.defaultNormalize());
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("object", "embedding");
            d.put("embedding", format.equals("base64") ? base64(v) : v);
            d.put("index", i);
            data.add(d);
            tokens += e.encoding().length();
        }
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("object", "list");
        reply.put("data", data);
        reply.put("model", m.name());
        reply.put("usage", Map.of("prompt_tokens", tokens, "total_tokens", tokens));
        MlmServer.json(ctx, 200, reply);
    }

    /** OpenAI: GET /v1/models, the models served here. */
    void models(Context ctx) {
        List<Map<String, Object>> data = new ArrayList<>();
        for (ServedModel m : server.models) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("id", m.name());
            d.put("object", "model");
            d.put("created", 0);
            d.put("owned_by", "mlm4j");
            data.add(d);
        }
        MlmServer.json(ctx, 200, Map.of("object", "list", "data", data));
    }

    // ------------------------------------------------------------------

    /**
     * A request's options. As TEI, an input may be as long as the model's working length ({@link FeatureExtraction#maxLength()}:
     * sentence-transformers' {@code max_seq_length}, 256 for all-MiniLM-L6-v2; the position table for a model without
     * one), not its position table: a longer one is refused, or cut there with {@code truncate}.
     */
    private FeatureExtraction.Options options(FeatureExtraction fe, Pooling pooling, Boolean normalize, boolean truncate) {
        return new FeatureExtraction.Options(pooling, normalize, truncate, fe.maxLength(), server.options.maxBatchTokens());
    }

    /** One input: a text, or (text null) a sequence of the model's token ids, run as they are. */
    record Input(String text, int[] ids) {}

    /**
     * Validates and counts every input (422 if too long), admits the request (its tokens, and a reply of
     * {@code replyBytes} + {@code bytesPerToken} × tokens), then waits for the batch that computes them.
     */
    private List<FeatureExtraction.Embedding> run(Context ctx, ServedModel m, FeatureExtraction.Options o, List<Input> inputs,
                                                  String field, long bytesPerToken, long replyBytes, String what) {
        IntFunction<String> name = i -> inputs.size() == 1 ? field : field + "[" + i + "]";
        return run(ctx, m, o, inputs, name, field.equals("input"), bytesPerToken, replyBytes, what);
    }

    /**
     * As above, input i named {@code name.apply(i)} in a 422 (a route whose inputs are not one list names them itself);
     * {@code openAi}: the advice for an over-length input is the server's --auto-truncate (OpenAI's API has no truncate).
     */
    private List<FeatureExtraction.Embedding> run(Context ctx, ServedModel m, FeatureExtraction.Options o, List<Input> inputs,
                                                  IntFunction<String> name, boolean openAi, long bytesPerToken, long replyBytes, String what) {
        FeatureExtraction fe = m.embeddings();
        int tokens = 0, limit = o.maxLength();
        List<Encoding> encodings = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            Input in = inputs.get(i);
            Encoding e;
            int n;
            if (in.ids() != null) {
                n = in.ids().length;
                e = n <= limit || !o.truncate() ? ofIds(in.ids(), n, fe.tokenizer()) : ofIds(in.ids(), limit, fe.tokenizer());
            } else {
                try {
                    e = fe.encode(in.text(), i, o);
                    n = e.length();
                } catch (IllegalArgumentException tooLong) {
                    e = null;
                    n = fe.tokenizer().encode(fe.prefixes().apply(in.text(), o.input()), Integer.MAX_VALUE, false).length();
                }
            }
            if (e == null || e.length() > limit) {
                throw ApiError.tooLong("`" + name.apply(i) + "` is " + n + " tokens, over the model's maximum of " + limit + "; "
                        + (openAi ? "start the server with --auto-truncate" : "send \"truncate\": true")
                        + " to keep its first " + limit);
            }
            encodings.add(e);
            tokens += e.length();
        }
        server.admit(ctx, tokens, replyBytes + bytesPerToken * tokens, what);
        Batcher<FeatureExtraction.Options, Encoding, FeatureExtraction.Embedding> batcher =
                server.batcher(m, ServedModel.Task.EMBEDDINGS, (opts, items) -> fe.extractEncoded(items, opts));
        return server.await(ctx, batcher.submit(o, encodings, tokens));
    }

    /** The first {@code n} of a client's token ids as the model's input, as TEI runs them: no special tokens added, no prompt. */
    static Encoding ofIds(int[] ids, int n, Tokenizer tok) {
        int[] kept = java.util.Arrays.copyOf(ids, n);
        String[] tokens = new String[n];
        int[] none = new int[n];
        boolean[] special = new boolean[n];
        java.util.Arrays.fill(none, -1);
        for (int i = 0; i < n; i++) {
            tokens[i] = tok.token(kept[i]);
            special[i] = kept[i] == tok.clsId() || kept[i] == tok.sepId() || kept[i] == tok.padId();
        }
        return new Encoding(kept, new int[n], tokens, none, none.clone(), special, new int[n], n < ids.length);
    }

    /**
     * The inputs of a field: a string, a list of strings, a list of token ids (one input) or a list of lists of ids.
     * Ids are this model's vocabulary ids and are run as they are, as TEI runs them: the model sees exactly those
     * tokens (send [CLS] … [SEP] yourself, as the model's tokenizer writes them), with no prompt or marker added.
     */
    private List<Input> inputs(Body b, String field, ServedModel m) {
        JsonNode n = b.require(field);
        int max = server.options.maxClientBatchSize();
        if (n.isTextual()) return List.of(new Input(n.textValue(), null));
        if (!n.isArray()) throw Body.wrongType(field, "a string, a list of strings or a list of token ids", n);
        if (n.isEmpty()) throw ApiError.empty("`" + field + "` is an empty list");
        JsonNode first = n.get(0);
        if (first.isNumber()) return List.of(ids(n, field, m));
        Body.checkCount(field, n.size(), max);
        List<Input> out = new ArrayList<>(n.size());
        for (int i = 0; i < n.size(); i++) {
            JsonNode t = n.get(i);
            if (first.isTextual() && t.isTextual()) {
                out.add(new Input(t.textValue(), null));
            } else if (first.isArray() && t.isArray()) {
                if (t.isEmpty()) throw ApiError.empty("`" + field + "[" + i + "]` is an empty list of token ids");
                out.add(ids(t, field + "[" + i + "]", m));
            } else {
                throw ApiError.validation("`" + field + "[" + i + "]` must be " + (first.isArray() ? "a list of token ids" : "a string")
                        + " like `" + field + "[0]`, got " + Body.kind(t));
            }
        }
        return out;
    }

    private static Input ids(JsonNode ids, String what, ServedModel m) {
        return new Input(null, TextRoutes.ids(ids, what, m.tokenizer().vocabSize()));
    }

    /**
     * What the texts are, from {@code field} ("query" or "passage"; absent: null, the query marker): for a model with
     * prefixes only. TEI's {@code prompt_name} names a prompt the model has, so it is refused for a model without
     * ({@code strict}); OpenAI's {@code input_type} is ignored there, as {@code ./mlm4j embed --passage} is.
     */
    static FeatureExtraction.Input kind(Body b, String field, FeatureExtraction fe, boolean strict) {
        String v = b.string(field, null);
        if (v == null) return null;
        boolean prefixes = !fe.prefixes().equals(FeatureExtraction.Prefixes.NONE);
        if (!prefixes && strict) {
            throw ApiError.validation("`" + field + "` is not supported for this model: it has no prompts (a model with query and passage"
                    + " prefixes, such as e5-small-v2, takes \"query\" or \"passage\")");
        }
        FeatureExtraction.Input kind = switch (v) {
            case "query" -> FeatureExtraction.Input.QUERY;
            case "passage" -> FeatureExtraction.Input.PASSAGE;
            default -> throw ApiError.validation("`" + field + "` must be \"query\" or \"passage\", got \"" + Body.abbreviate(v) + "\"");
        };
        return prefixes ? kind : null;
    }

    /** The first {@code dims} components (all when null), L2-normalised again if the vector was normalised. */
    static float[] shorten(float[] v, Integer dims, boolean normalized) {
        if (dims == null || dims >= v.length) return v;
        float[] s = java.util.Arrays.copyOf(v, dims);
        if (normalized) {
            double n = 0;
            for (float x : s) n += (double) x * x;
            double scale = 1 / Math.max(Math.sqrt(n), 1e-12);
            for (int i = 0; i < s.length; i++) s[i] = (float) (s[i] * scale);
        }
        return s;
    }

    /** OpenAI's base64 encoding: the float32 values, little-endian, as standard base64. */
    static String base64(float[] v) {
        ByteBuffer bb = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) bb.putFloat(x);
        return Base64.getEncoder().encodeToString(bb.array());
    }
}
