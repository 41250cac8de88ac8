package dev.mlm4j.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@link MlmEvaluation} measured, as JSON and as Markdown tables.
 *
 * @param run          where and when (null until the caller adds it)
 * @param options      the protocol's knobs
 * @param corpus       where the sentences came from
 * @param heldOutFiles how many held-out files the sentences were drawn from
 * @param sentences    sentences evaluated
 * @param pieces       their word pieces in all
 * @param masks        masked pieces (queries per condition)
 * @param results      one per condition, in the order run
 */
public record MlmReport(RunInfo run, MlmEvaluation.Options options, String corpus, int heldOutFiles, int sentences,
                        int pieces, int masks, List<ConditionResult> results) {

    /** Counts behind the scores. */
    public record Metrics(long n, long top1, long top5, double sumLogProb) {
        public double top1Accuracy() {
            return n == 0 ? Double.NaN : (double) top1 / n;
        }

        public double top5Accuracy() {
            return n == 0 ? Double.NaN : (double) top5 / n;
        }

        /** exp(−mean natural-log probability of the masked pieces). */
        public double pseudoPerplexity() {
            return n == 0 ? Double.NaN : Math.exp(-sumLogProb / n);
        }

        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("masks", n);
            m.put("top1", round(top1Accuracy(), 5));
            m.put("top5", round(top5Accuracy(), 5));
            m.put("pseudo_perplexity", round(pseudoPerplexity(), 4));
            m.put("mean_log_prob", round(n == 0 ? Double.NaN : sumLogProb / n, 5));
            return m;
        }
    }

    /** Adds scores up. */
    public static final class Tally {
        private long n, top1, top5;
        private double sumLogProb;

        public void add(MaskedTokenScorer.Score s) {
            n++;
            if (s.rank() <= 1) top1++;
            if (s.rank() <= 5) top5++;
            sumLogProb += s.logProb();
        }

        public Metrics metrics() {
            return new Metrics(n, top1, top5, sumLogProb);
        }
    }

    /**
     * @param byQuintile   five entries: masked pieces in the first fifth of their sentence, …, the last fifth
     * @param nanos        wall-clock time of this condition
     * @param tokensRun    tokens that went through the encoder for it
     */
    public record ConditionResult(MlmEvaluation.Condition condition, Metrics overall, List<Metrics> byQuintile, long nanos,
                                  long tokensRun) {}

    public MlmReport withContext(RunInfo run, String corpus, int heldOutFiles) {
        return new MlmReport(run, options, corpus, heldOutFiles, sentences, pieces, masks, results);
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (run != null) m.put("run", run.toJson());
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("corpus", corpus);
        p.put("held_out_files", heldOutFiles);
        p.put("sentences", sentences);
        p.put("word_pieces", pieces);
        p.put("masked_pieces", masks);
        p.put("mask_rate", options.maskRate());
        p.put("masking", "one at a time: every query has exactly one [MASK], all other tokens original");
        p.put("min_pieces", options.minPieces());
        p.put("max_pieces", options.maxPieces());
        m.put("protocol", p);
        List<Object> rs = new ArrayList<>();
        for (ConditionResult r : results) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("condition", r.condition().label());
            c.put("scored_from", r.condition().forCausalLm() ? "the logits at the token before the target (next-token prediction)"
                    : "the logits at the [MASK] in the target's place");
            c.put("overall", r.overall().toJson());
            List<Object> q = new ArrayList<>();
            for (int i = 0; i < r.byQuintile().size(); i++) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("relative_position", quintileLabel(i));
                e.putAll(r.byQuintile().get(i).toJson());
                q.add(e);
            }
            c.put("by_relative_position", q);
            c.put("seconds", round(r.nanos() / 1e9, 1));
            c.put("tokens_encoded", r.tokensRun());
            c.put("tokens_per_second", round(r.tokensRun() / (r.nanos() / 1e9), 1));
            rs.add(c);
        }
        m.put("results", rs);
        return m;
    }

    public String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("| condition | masked pieces | top-1 | top-5 | pseudo-perplexity |\n|---|---:|---:|---:|---:|\n");
        for (ConditionResult r : results) {
            Metrics m = r.overall();
            sb.append(String.format(Locale.ROOT, "| %s | %,d | %s | %s | %s |%n", r.condition().label(), m.n(),
                    percent(m.top1Accuracy(), m.n()), percent(m.top5Accuracy(), m.n()), ppl(m.pseudoPerplexity())));
        }
        sb.append("\nBy the masked piece's relative position in its sentence (0–20 %: the first fifth, where a causal mask"
                + " leaves little left context):\n\n");
        StringBuilder head = new StringBuilder("| position | masks |"), rule = new StringBuilder("|---|---:|");
        for (ConditionResult r : results) {
            head.append(" top-1 ").append(r.condition().label()).append(" |");
            rule.append("---:|");
        }
        for (ConditionResult r : results) {
            head.append(" PPPL ").append(r.condition().label()).append(" |");
            rule.append("---:|");
        }
        sb.append(head).append('\n').append(rule).append('\n');
        for (int q = 0; q < 5; q++) {
            long n = results.getFirst().byQuintile().get(q).n();
            sb.append("| ").append(quintileLabel(q)).append(String.format(Locale.ROOT, " | %,d |", n));
            for (ConditionResult r : results) sb.append(' ').append(percent(r.byQuintile().get(q).top1Accuracy(), 0)).append(" |");
            for (ConditionResult r : results) sb.append(' ').append(ppl(r.byQuintile().get(q).pseudoPerplexity())).append(" |");
            sb.append('\n');
        }
        sb.append('\n');
        sb.append(String.format(Locale.ROOT, "%,d held-out sentences (%d–%d word pieces) from %d held-out files of %s;"
                        + " %,d word pieces, %,d of them scored (%.0f %%, one per query: a single [MASK], every other token original;"
                        + " next-token: the pieces before it)."
                        + " top-1/top-5: the original piece is the model's first / among its first five of the whole vocabulary;"
                        + " ± is a 95 %% normal interval. Pseudo-perplexity: exp(−mean ln p(original piece)).%n",
                sentences, options.minPieces(), options.maxPieces(), heldOutFiles, corpus == null ? "the corpus" : corpus,
                pieces, masks, options.maskRate() * 100));
        sb.append('\n');
        for (ConditionResult r : results) sb.append(' ').append(note(r.condition()));
        sb.append('\n');
        sb.append("\nTime per condition:");
        for (ConditionResult r : results) {
            sb.append(String.format(Locale.ROOT, " %s %.0f s (%,d tokens, %.0f tokens/s);", r.condition().label(),
                    r.nanos() / 1e9, r.tokensRun(), r.tokensRun() / (r.nanos() / 1e9)));
        }
        sb.setLength(sb.length() - 1);
        sb.append(".\n");
        if (run != null) sb.append("\nRun: ").append(run.markdownLine()).append(".\n");
        return sb.toString();
    }

    /** What a condition asked, for the note under the tables. */
    static String note(MlmEvaluation.Condition c) {
        return switch (c) {
            case BIDIRECTIONAL -> "*bidirectional*: the whole sentence, no attention mask, as a masked LM is trained.";
            case CAUSAL -> "*causal*: the causal mask in every layer, so the mask sees only what is left of it — a masked LM"
                    + " never learnt with that mask (the seed's weaker experiment: it removes the right-hand context from a model"
                    + " trained with it).";
            case LEFT_ONLY -> "*left-only*: the same left context as the text [CLS] left [MASK] [SEP] with ordinary attention"
                    + " — a masked LM's own way of predicting from the left only (its [SEP] also says the sentence ends at the mask).";
            case LEFT_OPEN -> "*left-open*: [CLS] left [MASK] with ordinary attention and no [SEP] — left-only's control (the end"
                    + " of the sequence still says the sentence ends at the mask; a masked LM always saw [SEP] in training).";
            case RIGHT_MASKED -> "*right-masked*: ordinary attention over the whole sentence with the target and every piece after"
                    + " it replaced by [MASK] — the right-hand words are hidden, their number is not.";
            case NEXT_TOKEN -> "*next-token*: a causal LM used as it was trained — the causal mask over [CLS] and the pieces"
                    + " left of the target, scored from the logits at the piece before it (no [MASK]); same targets, same left"
                    + " context as causal and left-only.";
        };
    }

    static String quintileLabel(int q) {
        return (q * 20) + "–" + (q * 20 + 20) + " %";
    }

    /** "58.3 % ± 1.0" (the interval only when n > 0 is given). */
    static String percent(double p, long n) {
        if (Double.isNaN(p)) return "–";
        if (n <= 0) return String.format(Locale.ROOT, "%.1f %%", 100 * p);
        return String.format(Locale.ROOT, "%.1f %% ± %.1f", 100 * p, 196 * Math.sqrt(p * (1 - p) / n));
    }

    static String ppl(double v) {
        if (Double.isNaN(v)) return "–";
        return v >= 1000 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    static double round(double v, int decimals) {
        if (Double.isNaN(v) || Double.isInfinite(v)) return v;
        double f = Math.pow(10, decimals);
        return Math.round(v * f) / f;
    }
}
