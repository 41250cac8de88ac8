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
 *   <li>{@code causal-lm}: for a causal LM (config.json {@code "is_decoder": true}, issue 19's run b) used as it was
 *       trained: the text so far under the causal mask, the next piece from the logits at its last token, appended;
 *       one pass per token (no KV cache here either). The four strategies above need a masked LM and are refused on a
 *       causal LM, as causal-lm is on a masked LM.</li>
 * </ul>
 * Tokens are chosen greedily, or among the top k by sampling with the seed. Bracketed specials ([SEP],
 * [MASK], [unused…]) are never chosen. Each output gets a self-score — a masked LM's bidirectional pseudo-perplexity of
 * the generated pieces given everything else (which favours mask-predict, which optimises roughly that), or a causal
 * LM's own next-token perplexity of them — which does not compare across models; what does: an independent judge's
 * pseudo-perplexity of the continuation given the prompt ({@link #judge(EvalModel, String, String)}, a masked LM that saw
 * none of the models compared), distinct-2 and the repeated-trigram rate of the continuation's words ({@link Diversity}).
 */
public final class Generation {
    private Generation() {}

    public enum Strategy {
        LEFT_TO_RIGHT("left-to-right"), CAUSAL("causal"), MASKS_AHEAD("masks-ahead"), MASK_PREDICT("mask-predict"), CAUSAL_LM("causal-lm");

        private final String label;

        Strategy(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        public static Strategy parse(String s) {
            for (Strategy x : values()) if (x.label.equalsIgnoreCase(s.strip()) || x.name().equalsIgnoreCase(s.strip())) return x;
            throw new IllegalArgumentException("unknown strategy '" + s + "': use left-to-right, causal, masks-ahead, mask-predict or causal-lm");
        }

        /** Whether the strategy runs a causal LM's next-token loop (else a masked LM's mask filling). */
        public boolean forCausalLm() {
            return this == CAUSAL_LM;
        }
    }

    /** The strategies run when none are asked for: causal-lm for a causal LM, the four mask-filling ones for a masked LM. */
    public static List<Strategy> defaultStrategies(boolean causalLm) {
        return causalLm ? List.of(Strategy.CAUSAL_LM) : List.of(Strategy.LEFT_TO_RIGHT, Strategy.CAUSAL, Strategy.MASKS_AHEAD, Strategy.MASK_PREDICT);
    }

    /** Refuses a causal LM as judge: the judge scores each continuation piece as a [MASK] given both sides. */
    public static void checkJudge(boolean causalLm, String judge) {
        if (causalLm) throw new IllegalArgumentException("the judge " + judge + " is a causal LM; a judge must be a masked LM (e.g. bert-base-uncased)");
    }

    /** Refuses, in one line, a strategy the model was not trained for (as {@link MlmEvaluation#check} does for conditions). */
    public static void check(List<Strategy> strategies, boolean causalLm, String model) {
        for (Strategy s : strategies) {
            if (s.forCausalLm() && !causalLm) {
                throw new IllegalArgumentException("strategy causal-lm needs a causal LM (config.json \"is_decoder\": true); " + model
                        + " is a masked LM: use left-to-right, causal, masks-ahead or mask-predict");
            }
            if (!s.forCausalLm() && causalLm) {
                throw new IllegalArgumentException("strategy " + s.label() + " fills [MASK]s, which " + model
                        + " (a causal LM, config.json \"is_decoder\": true) never learnt: use causal-lm");
            }
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
     * @param pseudoPerplexity the self-score: a masked LM's bidirectional pseudo-perplexity of the generated pieces, a
     *                         causal LM's next-token perplexity of them given the prompt
     * @param distinct         distinct pieces / generated pieces
     * @param judge            the judge's pseudo-perplexity of the continuation given the prompt (NaN: no judge)
     * @param diversity        distinct-2 and repeated trigrams of the continuation's words
     */
    public record Output(Strategy strategy, String prompt, String text, String continuation, int tokens, int forwardPasses,
                         long tokensEncoded, long nanos, double pseudoPerplexity, double distinct, double judge, Diversity diversity) {

        public Output withJudge(double judgePseudoPerplexity) {
            return new Output(strategy, prompt, text, continuation, tokens, forwardPasses, tokensEncoded, nanos, pseudoPerplexity,
                    distinct, judgePseudoPerplexity, diversity);
        }
    }

    /**
     * Repetition in a continuation, over its words (runs of letters or digits, lower-cased, and every other non-space
     * character on its own — so a run of periods, which decodes to "................", counts as 16 repeats: the same
     * units whatever the generator's vocabulary).
     *
     * @param distinct2         distinct word bigrams / word bigrams (NaN under two words)
     * @param repeatedTrigrams  word trigrams equal to an earlier trigram of the same continuation / word trigrams (NaN under three words)
     */
    public record Diversity(double distinct2, double repeatedTrigrams) {
        private static final java.util.regex.Pattern WORD = java.util.regex.Pattern.compile("[\\p{L}\\p{N}]+|[^\\s\\p{L}\\p{N}]");

        public static Diversity of(String continuation) {
            String[] w = WORD.matcher(continuation.toLowerCase(Locale.ROOT)).results().map(java.util.regex.MatchResult::group).toArray(String[]::new);
            java.util.Set<String> bigrams = new java.util.HashSet<>(), trigrams = new java.util.HashSet<>();
            for (int i = 0; i + 1 < w.length; i++) bigrams.add(w[i] + ' ' + w[i + 1]);
            int repeated = 0;
            for (int i = 0; i + 2 < w.length; i++) if (!trigrams.add(w[i] + ' ' + w[i + 1] + ' ' + w[i + 2])) repeated++;
            return new Diversity(w.length < 2 ? Double.NaN : (double) bigrams.size() / (w.length - 1),
                    w.length < 3 ? Double.NaN : (double) repeated / (w.length - 2));
        }
    }

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
        } else if (strategy == Strategy.CAUSAL_LM) {
            for (int i = 0; i < o.tokens(); i++) {
                int pos = start + i;
                int[] x = Arrays.copyOf(ids, pos);                        // [CLS] text so far; its last row predicts the next
                EncoderOutput out = m.forward(new int[][] {x}, AttentionMask.Direction.CAUSAL, false);
                passes++;
                encoded += x.length;
                FloatTensor logits = m.logits(out, new int[] {pos - 1});
                ids[pos] = (int) pick(logits.data(), logits.rowOffset(0), logits.dim(1), allowed, o.topK(), r)[0];
            }
            ids[ids.length - 1] = sepId;
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
        String continuation = m.tokenizer().decode(generated, true);
        MlmEvaluation.Condition self = strategy.forCausalLm() ? MlmEvaluation.Condition.NEXT_TOKEN : MlmEvaluation.Condition.BIDIRECTIONAL;
        return new Output(strategy, prompt, m.tokenizer().decode(ids, true), continuation, o.tokens(), passes, encoded, nanos,
                perplexity(m, self, ids, start, o.tokens()), (double) Arrays.stream(generated).distinct().count() / o.tokens(),
                Double.NaN, Diversity.of(continuation));
    }

    /** exp(−mean ln p) of positions [start, start + n) of ids, each scored as {@code c} asks (one query per position). */
    static double perplexity(EvalModel m, MlmEvaluation.Condition c, int[] ids, int start, int n) {
        List<MaskedTokenScorer.Query> qs = new ArrayList<>();
        for (int i = start; i < start + n; i++) qs.add(MlmEvaluation.query(c, ids, i, m.tokenizer().maskId(), m.tokenizer().sepId()));
        double sum = 0;
        for (MaskedTokenScorer.Score s : m.score(qs, c.direction())) sum += s.logProb();
        return Math.exp(-sum / n);
    }

    /**
     * An independent masked LM's pseudo-perplexity of {@code continuation} given {@code prompt}: both in the judge's own
     * word pieces as {@code [CLS] prompt continuation [SEP]}, each continuation piece masked in turn with every other
     * token original, bidirectional attention. Comparable across generators whatever their vocabulary.
     */
    public static double judge(EvalModel judge, String prompt, String continuation) {
        int[] p = judge.pieces(prompt), c = judge.pieces(continuation);
        if (c.length == 0) return Double.NaN;
        if (p.length + c.length + 2 > judge.maxLength()) {
            throw new IllegalArgumentException("prompt and continuation (" + (p.length + c.length) + " of the judge's pieces) do not fit in "
                    + judge.name() + "'s " + judge.maxLength() + " positions");
        }
        int[] ids = new int[p.length + c.length];
        System.arraycopy(p, 0, ids, 0, p.length);
        System.arraycopy(c, 0, ids, p.length, c.length);
        return perplexity(judge, MlmEvaluation.Condition.BIDIRECTIONAL, judge.withSpecials(ids), 1 + p.length, c.length);
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
        return run(m, prompts, strategies, o, null, meter);
    }

    /**
     * As above, each continuation also scored by {@code judge} (null: none), a masked LM ({@link #judge(EvalModel, String, String)}).
     * Strategies the model was not trained for are refused ({@link #check}).
     */
    public static GenerationReport run(EvalModel m, List<String> prompts, List<Strategy> strategies, Options o, EvalModel judge, Meter meter) {
        if (prompts.isEmpty()) throw new IllegalArgumentException("no prompt to generate from");
        check(strategies, m.causalLm(), m.name());
        if (judge != null) checkJudge(judge.causalLm(), judge.name());
        List<Output> outputs = new ArrayList<>();
        meter.start("generate", (long) prompts.size() * strategies.size(), "generations");
        try {
            // warm-up, untimed and discarded: a short generation under every strategy, so its passes, the LM head and the
            // self-scoring are compiled before any is timed (one bare forward pass left the first timed strategy 1-2.6 s slower)
            Options warm = new Options(Math.min(4, o.tokens()), Math.min(o.iterations(), 4), o.topK(), o.seed());
            for (Strategy s : strategies) generate(m, prompts.getFirst(), s, warm, 0);
            for (int p = 0; p < prompts.size(); p++) {
                for (Strategy s : strategies) {
                    outputs.add(generate(m, prompts.get(p), s, o, Masking.mix(o.seed(), p)));
                    meter.update(outputs.size());
                }
            }
        } finally {
            meter.finish();
        }
        if (judge != null) {
            meter.start("judge " + judge.name(), outputs.size(), "generations");
            try {
                for (int i = 0; i < outputs.size(); i++) {
                    Output out = outputs.get(i);
                    outputs.set(i, out.withJudge(judge(judge, out.prompt(), out.continuation())));
                    meter.update(i + 1);
                }
            } finally {
                meter.finish();
            }
        }
        return new GenerationReport(null, o, strategies, outputs, judge == null ? null : judge.name());
    }

    /** What {@link #run} produced; {@code judge} names the judging model (null: none). */
    public record GenerationReport(RunInfo run, Options options, List<Strategy> strategies, List<Output> outputs, String judge) {

        public GenerationReport(RunInfo run, Options options, List<Strategy> strategies, List<Output> outputs) {
            this(run, options, strategies, outputs, null);
        }

        public GenerationReport withRun(RunInfo r) {
            return new GenerationReport(r, options, strategies, outputs, judge);
        }

        /** The self-score's JSON key: a causal LM's next-token perplexity, a masked LM's pseudo-perplexity. */
        private String selfKey() {
            return strategies.stream().allMatch(Strategy::forCausalLm) ? "next_token_perplexity" : "pseudo_perplexity";
        }

        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            if (run != null) m.put("run", run.toJson());
            m.put("tokens", options.tokens());
            m.put("iterations", options.iterations());
            m.put("top_k", options.topK());
            m.put("judge", judge);
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
                e.put(selfKey(), MlmReport.round(o.pseudoPerplexity(), 3));
                e.put("distinct", MlmReport.round(o.distinct(), 3));
                if (judge != null) e.put("judge_pseudo_perplexity", MlmReport.round(o.judge(), 3));
                e.put("distinct_2", MlmReport.round(o.diversity().distinct2(), 3));
                e.put("repeated_trigrams", MlmReport.round(o.diversity().repeatedTrigrams(), 3));
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
            e.put(selfKey() + "_geomean", MlmReport.round(Math.exp(logPpl / os.size()), 2));
            e.put("distinct", MlmReport.round(distinct / os.size(), 3));
            if (judge != null) e.put("judge_pseudo_perplexity_geomean", MlmReport.round(geomean(os.stream().mapToDouble(Output::judge)), 2));
            e.put("distinct_2", MlmReport.round(mean(os.stream().mapToDouble(o -> o.diversity().distinct2())), 3));
            e.put("repeated_trigrams", MlmReport.round(mean(os.stream().mapToDouble(o -> o.diversity().repeatedTrigrams())), 3));
            return e;
        }

        private static double geomean(java.util.stream.DoubleStream v) {
            return Math.exp(mean(v.map(Math::log)));
        }

        /** The mean of the values that are not NaN (NaN if none). */
        private static double mean(java.util.stream.DoubleStream v) {
            return v.filter(x -> !Double.isNaN(x)).average().orElse(Double.NaN);
        }

        public String markdown() {
            boolean causal = selfKey().startsWith("next");
            StringBuilder sb = new StringBuilder();
            sb.append("| strategy | forward passes per token | tokens encoded per token | generated tokens/s | ")
                    .append(causal ? "perplexity (same model, next token)" : "pseudo-perplexity (same model, bidirectional)")
                    .append(" | distinct pieces |").append(judge == null ? "" : " judge PPPL (" + judge + ") |")
                    .append(" distinct-2 | repeated trigrams |\n");
            sb.append("|---|---:|---:|---:|---:|---:|").append(judge == null ? "" : "---:|").append("---:|---:|\n");
            for (Strategy s : strategies) {
                Map<String, Object> e = summary(s);
                sb.append(String.format(Locale.ROOT, "| %s | %.2f | %.1f | %.2f | %s | %.0f %% |", s.label(), e.get("forward_passes_per_token"),
                        e.get("tokens_encoded_per_token"), e.get("tokens_per_second"), MlmReport.ppl((double) e.get(selfKey() + "_geomean")),
                        100 * (double) e.get("distinct")));
                if (judge != null) sb.append(' ').append(MlmReport.ppl((double) e.get("judge_pseudo_perplexity_geomean"))).append(" |");
                sb.append(' ').append(share((double) e.get("distinct_2"))).append(" | ").append(share((double) e.get("repeated_trigrams"))).append(" |\n");
            }
            sb.append(String.format(Locale.ROOT, "%n%d new word pieces per prompt, %s; mask-predict with T = %d rounds."
                            + " Perplexities are geometric means over prompts; distinct pieces = distinct / generated, averaged."
                            + " The same-model score does not compare across models%s; distinct-2 (distinct word bigrams / bigrams) and"
                            + " repeated trigrams (word trigrams repeating an earlier one of the continuation / trigrams) are means over prompts.%n%n",
                    options.tokens(), options.topK() == 0 ? "greedy" : "sampled among the top " + options.topK(), Math.min(options.iterations(), options.tokens()),
                    judge == null ? " (--judge MODEL adds one that does)" : "; the judge's does: " + judge + "'s pseudo-perplexity of the continuation given"
                            + " the prompt, in its own word pieces, each masked in turn"));
            String prompt = null;
            for (Output o : outputs) {
                if (!o.prompt().equals(prompt)) {
                    prompt = o.prompt();
                    sb.append("**").append(prompt.replace("*", "\\*")).append(" …**\n\n");
                }
                sb.append("- ").append(o.strategy().label()).append(": ").append(o.continuation().replace("*", "\\*").replace("|", "\\|"))
                        .append(String.format(Locale.ROOT, "  *(%.1f s, %s %s%s)*%n", o.nanos() / 1e9, causal ? "PPL" : "PPPL", MlmReport.ppl(o.pseudoPerplexity()),
                                judge == null ? "" : ", judge " + MlmReport.ppl(o.judge())));
                if (o.strategy() == strategies.getLast()) sb.append('\n');
            }
            if (run != null) sb.append("Run: ").append(run.markdownLine()).append(".\n");
            return sb.toString();
        }

        private static String share(double v) {
            return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.0f %%", 100 * v);
        }
    }
}
