package dev.mlm4j.eval;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.model.EncoderOutput;
import dev.mlm4j.tensor.FloatTensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Text generation with a masked language model (the seed's Proposition 2), three ways:
 * <ul>
 *   <li>{@code left-to-right}: append {@code [MASK] [SEP]} to the text so far, fill the mask, repeat. One forward
 *       pass per token, each over the whole text: with bidirectional attention every earlier token's state
 *       changes when a token is added, so nothing can be cached — n tokens cost n passes over ~n tokens each;</li>
 *   <li>{@code causal}: the same loop with the causal mask in every layer, i.e. the model used as the
 *       left-to-right language model it was not trained to be (a causal model could reuse its earlier states
 *       — a KV cache — which this harness does not implement, so its cost here equals left-to-right's);</li>
 *   <li>{@code masks-ahead}: left to right too, but over the whole span: start from n masks and fill the leftmost
 *       one per pass (Wang and Cho's sequential order, 2019) — the model sees how much text is still to come
 *       instead of a [SEP] right after the mask, which it reads as "the sentence ends here";</li>
 *   <li>{@code mask-predict} (Ghazvininejad et al., 2019): append n masks at once, predict them all, then for
 *       T − 1 rounds re-mask the n·(T − t)/T least confident and predict those again — T passes for n tokens.</li>
 * </ul>
 * Tokens are chosen greedily, or among the top k by sampling with the seed. Bracketed specials ([SEP],
 * [MASK], [unused…]) are never chosen. Each output is judged by the same model's bidirectional
 * pseudo-perplexity of the generated pieces given everything else — a self-assessment that favours
 * mask-predict, which optimises roughly that — and by the share of distinct pieces (repetition).
 */
public final class Generation {
    private Generation() {}

    public enum Strategy {
        LEFT_TO_RIGHT("left-to-right"), CAUSAL("causal"), MASKS_AHEAD("masks-ahead"), MASK_PREDICT("mask-predict");

        private final String label;

        Strategy(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        public static Strategy parse(String s) {
            for (Strategy x : values()) if (x.label.equalsIgnoreCase(s.strip()) || x.name().equalsIgnoreCase(s.strip())) return x;
            throw new IllegalArgumentException("unknown strategy '" + s + "': use left-to-right, causal, masks-ahead or mask-predict");
        }
    }

    /**
     * @param tokens     word pieces to generate after the prompt
     * @param iterations mask-predict's rounds T (at most {@code tokens})
     * @param topK       0: greedy; else sample among the k most probable pieces
     * @param seed       for sampling
     */
    public record Options(int tokens, int iterations, int topK, long seed) {
        public static final Options DEFAULT = new Options(16, 10, 0, 1);

        public Options {
            if (tokens < 1 || tokens > 256) throw new IllegalArgumentException("--tokens must be between 1 and 256");
            if (iterations < 1) throw new IllegalArgumentException("--iterations must be at least 1");
            if (topK < 0) throw new IllegalArgumentException("--top-k must be 0 (greedy) or more");
        }
    }

    /**
     * One generation.
     *
     * @param text             prompt and continuation, decoded
     * @param continuation     the generated part alone, decoded
     * @param forwardPasses    encoder passes spent generating
     * @param tokensEncoded    sum of those passes' sequence lengths
     * @param nanos            wall-clock time spent generating (the judging pass excluded)
     * @param pseudoPerplexity the model's bidirectional pseudo-perplexity of the generated pieces
     * @param distinct         distinct pieces / generated pieces
     */
    public record Output(Strategy strategy, String prompt, String text, String continuation, int tokens, int forwardPasses,
                         long tokensEncoded, long nanos, double pseudoPerplexity, double distinct) {}

    public static Output generate(EvalModel m, String prompt, Strategy strategy, Options o, long sampleSeed) {
        int[] promptPieces = m.pieces(prompt);
        if (promptPieces.length == 0) throw new IllegalArgumentException("the prompt '" + prompt + "' has no tokens");
        if (promptPieces.length + o.tokens() + 2 > m.maxLength()) {
            throw new IllegalArgumentException("prompt (" + promptPieces.length + " pieces) and " + o.tokens() + " new tokens do not fit in "
                    + m.maxLength() + " positions");
        }
        boolean[] allowed = m.allowedForGeneration();
        Random r = new Random(sampleSeed);
        int maskId = m.tokenizer().maskId(), sepId = m.tokenizer().sepId();
        int start = promptPieces.length + 1;                              // first generated position
        int[] ids = new int[start + o.tokens() + 1];
        ids[0] = m.tokenizer().clsId();
        System.arraycopy(promptPieces, 0, ids, 1, promptPieces.length);
        int passes = 0;
        long encoded = 0, t0 = System.nanoTime();
        if (strategy == Strategy.MASK_PREDICT) {
            Arrays.fill(ids, start, start + o.tokens(), maskId);
            ids[ids.length - 1] = sepId;
            double[] confidence = new double[o.tokens()];
            int rounds = Math.min(o.iterations(), o.tokens());
            for (int t = 0; t < rounds; t++) {
                int[] remask = t == 0 ? range(o.tokens()) : leastConfident(confidence, o.tokens() * (rounds - t) / rounds);
                for (int i : remask) ids[start + i] = maskId;
                int[] rows = new int[remask.length];
                for (int k = 0; k < rows.length; k++) rows[k] = start + remask[k];
                EncoderOutput out = m.forward(new int[][] {ids}, AttentionMask.Direction.BIDIRECTIONAL, false);
                passes++;
                encoded += ids.length;
                FloatTensor logits = m.logits(out, rows);
                for (int k = 0; k < rows.length; k++) {
                    double[] pick = pick(logits.data(), logits.rowOffset(k), logits.dim(1), allowed, o.topK(), r);
                    ids[rows[k]] = (int) pick[0];
                    confidence[remask[k]] = pick[1];
                }
            }
        } else if (strategy == Strategy.MASKS_AHEAD) {
            Arrays.fill(ids, start, start + o.tokens(), maskId);
            ids[ids.length - 1] = sepId;
            for (int i = 0; i < o.tokens(); i++) {
                EncoderOutput out = m.forward(new int[][] {ids}, AttentionMask.Direction.BIDIRECTIONAL, false);
                passes++;
                encoded += ids.length;
                FloatTensor logits = m.logits(out, new int[] {start + i});
                ids[start + i] = (int) pick(logits.data(), logits.rowOffset(0), logits.dim(1), allowed, o.topK(), r)[0];
            }
        } else {
            AttentionMask.Direction d = strategy == Strategy.CAUSAL ? AttentionMask.Direction.CAUSAL : AttentionMask.Direction.BIDIRECTIONAL;
            for (int i = 0; i < o.tokens(); i++) {
                int pos = start + i;
                int[] x = Arrays.copyOf(ids, pos + 2);                    // text so far, [MASK], [SEP]
                x[pos] = maskId;
                x[pos + 1] = sepId;
                EncoderOutput out = m.forward(new int[][] {x}, d, false);
                passes++;
                encoded += x.length;
                FloatTensor logits = m.logits(out, new int[] {pos});
                ids[pos] = (int) pick(logits.data(), logits.rowOffset(0), logits.dim(1), allowed, o.topK(), r)[0];
            }
            ids[ids.length - 1] = sepId;
        }
        long nanos = System.nanoTime() - t0;
        int[] generated = Arrays.copyOfRange(ids, start, start + o.tokens());
        return new Output(strategy, prompt, m.tokenizer().decode(ids, true), m.tokenizer().decode(generated, true), o.tokens(), passes,
                encoded, nanos, judge(m, ids, start, o.tokens()), (double) Arrays.stream(generated).distinct().count() / o.tokens());
    }

    /** Bidirectional pseudo-perplexity of positions [start, start + n) of ids. */
    static double judge(EvalModel m, int[] ids, int start, int n) {
        List<MaskedTokenScorer.Query> qs = new ArrayList<>();
        for (int i = start; i < start + n; i++) {
            qs.add(MlmEvaluation.query(MlmEvaluation.Condition.BIDIRECTIONAL, ids, i, m.tokenizer().maskId(), m.tokenizer().sepId()));
        }
        double sum = 0;
        for (MaskedTokenScorer.Score s : m.score(qs, AttentionMask.Direction.BIDIRECTIONAL)) sum += s.logProb();
        return Math.exp(-sum / n);
    }

    /** {id, probability}: the most probable allowed piece, or one sampled from the k most probable. */
    static double[] pick(float[] d, int off, int vocab, boolean[] allowed, int topK, Random r) {
        float max = Float.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) if (allowed[v]) max = Math.max(max, d[off + v]);
        double z = 0;
        for (int v = 0; v < vocab; v++) if (allowed[v]) z += Math.exp(d[off + v] - max);
        int k = Math.max(1, topK);
        int[] best = new int[k];
        Arrays.fill(best, -1);
        for (int v = 0; v < vocab; v++) {                                 // the k best, kept sorted
            if (!allowed[v]) continue;
            if (best[k - 1] >= 0 && d[off + v] <= d[off + best[k - 1]]) continue;
            int j = k - 1;
            while (j > 0 && (best[j - 1] < 0 || d[off + v] > d[off + best[j - 1]])) {
                best[j] = best[j - 1];
                j--;
            }
            best[j] = v;
        }
        int chosen = best[0];
        if (topK > 1) {
            double mass = 0;
            for (int id : best) if (id >= 0) mass += Math.exp(d[off + id] - max);
            double u = r.nextDouble() * mass;
            for (int id : best) {
                if (id < 0) break;
                u -= Math.exp(d[off + id] - max);
                chosen = id;
                if (u <= 0) break;
            }
        }
        return new double[] {chosen, Math.exp(d[off + chosen] - max) / z};
    }

    private static int[] range(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }

    /** Indices of the {@code n} smallest confidences (earlier position first on ties). */
    static int[] leastConfident(double[] confidence, int n) {
        Integer[] idx = new Integer[confidence.length];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        Arrays.sort(idx, (a, b) -> confidence[a] != confidence[b] ? Double.compare(confidence[a], confidence[b]) : Integer.compare(a, b));
        int[] out = new int[Math.max(0, Math.min(n, idx.length))];
        for (int i = 0; i < out.length; i++) out[i] = idx[i];
        Arrays.sort(out);
        return out;
    }

    /** Every prompt under every strategy, with timing summaries. */
    public static GenerationReport run(EvalModel m, List<String> prompts, List<Strategy> strategies, Options o, Meter meter) {
        if (prompts.isEmpty()) throw new IllegalArgumentException("no prompt to generate from");
        List<Output> outputs = new ArrayList<>();
        meter.start("generate", (long) prompts.size() * strategies.size(), "generations");
        try {
            m.forward(new int[][] {m.withSpecials(m.pieces(prompts.getFirst()))}, AttentionMask.Direction.BIDIRECTIONAL, false); // warm-up
            for (int p = 0; p < prompts.size(); p++) {
                for (Strategy s : strategies) {
                    outputs.add(generate(m, prompts.get(p), s, o, Masking.mix(o.seed(), p)));
                    meter.update(outputs.size());
                }
            }
        } finally {
            meter.finish();
        }
        return new GenerationReport(null, o, strategies, outputs);
    }

    /** What {@link #run} produced. */
    public record GenerationReport(RunInfo run, Options options, List<Strategy> strategies, List<Output> outputs) {

        public GenerationReport withRun(RunInfo r) {
            return new GenerationReport(r, options, strategies, outputs);
        }

        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            if (run != null) m.put("run", run.toJson());
            m.put("tokens", options.tokens());
            m.put("iterations", options.iterations());
            m.put("top_k", options.topK());
            List<Object> summary = new ArrayList<>();
            for (Strategy s : strategies) summary.add(summary(s));
            m.put("summary", summary);
            List<Object> outs = new ArrayList<>();
            for (Output o : outputs) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("strategy", o.strategy().label());
                e.put("prompt", o.prompt());
                e.put("continuation", o.continuation());
                e.put("text", o.text());
                e.put("forward_passes", o.forwardPasses());
                e.put("tokens_encoded", o.tokensEncoded());
                e.put("seconds", MlmReport.round(o.nanos() / 1e9, 3));
                e.put("pseudo_perplexity", MlmReport.round(o.pseudoPerplexity(), 3));
                e.put("distinct", MlmReport.round(o.distinct(), 3));
                outs.add(e);
            }
            m.put("outputs", outs);
            return m;
        }

        private Map<String, Object> summary(Strategy s) {
            List<Output> os = outputs.stream().filter(o -> o.strategy() == s).toList();
            long tokens = 0, passes = 0, encoded = 0, nanos = 0;
            double logPpl = 0, distinct = 0;
            for (Output o : os) {
                tokens += o.tokens();
                passes += o.forwardPasses();
                encoded += o.tokensEncoded();
                nanos += o.nanos();
                logPpl += Math.log(o.pseudoPerplexity());
                distinct += o.distinct();
            }
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("strategy", s.label());
            e.put("generations", os.size());
            e.put("forward_passes_per_token", MlmReport.round((double) passes / tokens, 3));
            e.put("tokens_encoded_per_token", MlmReport.round((double) encoded / tokens, 2));
            e.put("tokens_per_second", MlmReport.round(tokens / (nanos / 1e9), 2));
            e.put("pseudo_perplexity_geomean", MlmReport.round(Math.exp(logPpl / os.size()), 2));
            e.put("distinct", MlmReport.round(distinct / os.size(), 3));
            return e;
        }

        public String markdown() {
            StringBuilder sb = new StringBuilder();
            sb.append("| strategy | forward passes per token | tokens encoded per token | generated tokens/s | pseudo-perplexity (same model, bidirectional) | distinct pieces |\n");
            sb.append("|---|---:|---:|---:|---:|---:|\n");
            for (Strategy s : strategies) {
                Map<String, Object> e = summary(s);
                sb.append(String.format(Locale.ROOT, "| %s | %.2f | %.1f | %.2f | %s | %.0f %% |%n", s.label(), e.get("forward_passes_per_token"),
                        e.get("tokens_encoded_per_token"), e.get("tokens_per_second"), MlmReport.ppl((double) e.get("pseudo_perplexity_geomean")),
                        100 * (double) e.get("distinct")));
            }
            sb.append(String.format(Locale.ROOT, "%n%d new word pieces per prompt, %s; mask-predict with T = %d rounds."
                            + " Pseudo-perplexity is the geometric mean over prompts; distinct pieces = distinct / generated, averaged.%n%n",
                    options.tokens(), options.topK() == 0 ? "greedy" : "sampled among the top " + options.topK(), Math.min(options.iterations(), options.tokens())));
            String prompt = null;
            for (Output o : outputs) {
                if (!o.prompt().equals(prompt)) {
                    prompt = o.prompt();
                    sb.append("**").append(prompt.replace("*", "\\*")).append(" …**\n\n");
                }
                sb.append("- ").append(o.strategy().label()).append(": ").append(o.continuation().replace("*", "\\*").replace("|", "\\|"))
                        .append(String.format(Locale.ROOT, "  *(%.1f s, PPPL %s)*%n", o.nanos() / 1e9, MlmReport.ppl(o.pseudoPerplexity())));
                if (o.strategy() == strategies.getLast()) sb.append('\n');
            }
            if (run != null) sb.append("Run: ").append(run.markdownLine()).append(".\n");
            return sb.toString();
        }
    }
}
