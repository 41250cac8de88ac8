package dev.mlm4j.server;

import dev.mlm4j.pipelines.FillMask;
import dev.mlm4j.tokens.Encoding;
import io.javalin.http.Context;

import java.util.List;

/**
 * POST /fill-mask: Hugging Face's fill-mask pipeline over HTTP.
 * <pre>
 * {"inputs": "Paris is the [MASK] of France." | [...], "top_k": 5, "targets": ["capital", …], "causal": false,
 *  "truncate": false, "model": "bert-base-uncased"}
 * </pre>
 * {@code top_k} and {@code targets} may also sit in {@code "parameters"} (the Inference API's shape). The
 * reply is Hugging Face's: a list of {@code {score, token, token_str, sequence}} for a text with one mask,
 * a list of such lists for several masks, and one of those per text when several texts are sent.
 */
final class FillMaskRoute {

    static final int MAX_TOP_K = 1000;
    static final int MAX_TARGETS = 1000;
    /** JSON of one guess without its sequence: {"score":…,"token":…,"token_str":"…","sequence":""} and a comma. */
    static final int BYTES_PER_GUESS = 96;

    private final MlmServer server;

    FillMaskRoute(MlmServer server) {
        this.server = server;
    }

    void handle(Context ctx) {
        Body b = server.body(ctx);
        ServedModel m = server.model(b.string("model", null), ServedModel.Task.FILL_MASK);
        Body params = b.object("parameters");
        List<String> inputs = b.texts("inputs", server.options.maxClientBatchSize());
        Integer topK = b.integer("top_k", 1, MAX_TOP_K);
        if (topK == null) topK = params.integer("top_k", 1, MAX_TOP_K);
        List<String> targets = b.has("targets") ? b.stringList("targets", MAX_TARGETS) : params.stringList("targets", MAX_TARGETS);
        for (int i = 0; i < targets.size(); i++) {
            if (targets.get(i).isBlank()) throw ApiError.empty("`targets[" + i + "]` is empty");
        }
        boolean causal = b.bool("causal", params.bool("causal", false));
        boolean truncate = b.bool("truncate", params.bool("truncate", server.options.autoTruncate()));

        int tokens = 0;
        long reply = 0;
        int k = topK == null ? 5 : topK;
        if (!targets.isEmpty()) k = Math.min(k, targets.size());   // as the pipeline: at most one guess per target
        int mask = m.tokenizer().maskId();
        for (int i = 0; i < inputs.size(); i++) {
            String what = inputs.size() == 1 ? "inputs" : "inputs[" + i + "]";
            Encoding e = m.encode(inputs.get(i), truncate, what);
            int masks = 0;
            for (int id : e.ids()) if (id == mask) masks++;
            if (masks == 0) {
                String token = m.tokenizer().token(mask);
                throw ApiError.validation("`" + what + "` has no " + token + " token"
                        + (e.truncated() ? " left after truncation to " + m.maxLength() + " tokens" : "")
                        + FillMask.wrongMaskHint(inputs.get(i), token));
            }
            tokens += e.length();
            // Every guess repeats the whole text as its `sequence`: masks × k entries of about the text's size each.
            reply += (long) masks * k * (BYTES_PER_GUESS + TextRoutes.utf8Length(inputs.get(i)) + e.length());
        }
        server.admit(ctx, tokens, reply, "masks × top_k guesses, each with the whole text as its sequence");
        FillMask.Options options = new FillMask.Options(topK == null ? 5 : topK, targets, causal, truncate);
        FillMask pipeline = m.fillMask();
        Batcher<FillMask.Options, String, List<FillMask.MaskResult>> batcher =
                server.batcher(m, ServedModel.Task.FILL_MASK, (opts, texts) -> pipeline.fill(texts, opts));
        List<List<FillMask.MaskResult>> results = server.await(ctx, batcher.submit(options, inputs, tokens));
        MlmServer.json(ctx, 200, FillMask.huggingFaceShape(results));
    }
}
