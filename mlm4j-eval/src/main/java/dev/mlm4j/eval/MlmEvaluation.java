package dev.mlm4j.eval;

import dev.mlm4j.attention.AttentionMask;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Masked-token prediction on held-out sentences, under several attention conditions in one run.
 *
 * <p>Protocol. Sentences come from the held-out files of the {@link Split}; those with {@code minPieces} to
 * {@code maxPieces} word pieces are eligible, and {@code sentences} of them are drawn with the seed. In each,
 * {@link Masking} picks 15% of the word pieces. They are masked <b>one at a time</b>: each masked piece is a
 * separate query in which every other token is the original, so a prediction never suffers from another
 * mask nearby and the log-probabilities add up to a pseudo-log-likelihood (Salazar et al., 2020) over the
 * sampled pieces. Every query is asked under each {@link Condition}:
 * <ul>
 *   <li>{@code bidirectional}: the whole sentence, no attention mask — how BERT was trained;</li>
 *   <li>{@code causal}: the causal mask in every layer, so the mask sees only [CLS] and the pieces to its left.
 *       The sequence is cut right after the mask: under a causal mask nothing to the right can reach it, so
 *       the scores are exactly those of the full sequence (a test checks it) at about half the cost;</li>
 *   <li>{@code left-only}: bidirectional attention over {@code [CLS] left-context [MASK] [SEP]} — the same
 *       information as causal, in a form the model was trained on; but it also tells the model that the
 *       sentence ends at the mask;</li>
 *   <li>{@code right-masked}: bidirectional attention over the whole sentence with the target and every piece
 *       after it replaced by [MASK] — the right context's words are hidden, its length is not.</li>
 *   <li>{@code left-open}: bidirectional attention over {@code [CLS] left-context [MASK]}, no [SEP] (a control for
 *       left-only: a form the model never saw, every training sequence ended in [SEP]);</li>
 *   <li>{@code next-token}: for a causal LM (config.json {@code "is_decoder": true}, transformers'
 *       {@code BertLMHeadModel}, run b of issue 19): the causal mask over {@code [CLS]} and the pieces left of the
 *       target, which is scored from the LM head's logits at the token <em>before</em> it (t − 1) — the model's own
 *       next-token prediction, as it was trained. No [MASK] and no [SEP]: the same information as {@code causal} and
 *       {@code left-only}, in the form the causal LM was trained on.</li>
 * </ul>
 * left-only, left-open and right-masked separate "no right-hand context" from "an attention mask the model never saw
 * in training". Each model is used as it was trained: a masked LM's from-the-left number is {@code left-only} (its own
 * attention and its own [MASK] query, left context only; left-open is its control without the [SEP]), a causal LM's is
 * {@code next-token}, and all score the same sampled targets given the same left context, so their tables line up. {@link #check} refuses the other pairings:
 * a causal LM never learnt to fill a [MASK] and a masked LM's head at t − 1 predicts the token at t − 1, not the next.
 * Under bidirectional attention the end of the sequence itself says "the sentence ends after the mask", with or without
 * the [SEP]: on issue 19's from-scratch MLM (run a, seed 1, 2,000 sentences) left-only and left-open score the same
 * (3.9 % top-1; 0.5 % in each of the first four fifths, 19 % in the last), so the [SEP] is not what costs; only
 * right-masked keeps the length, and it shows more than the causal LM sees.
 * Scores: top-1 and top-5 accuracy (the original piece ranks first / in the first five of the 30,522) and
 * pseudo-perplexity exp(−mean log p), overall and by the masked piece's relative position in its sentence
 * (quintiles of index / pieces).
 */
public final class MlmEvaluation {
    private MlmEvaluation() {}

    public enum Condition {
        BIDIRECTIONAL("bidirectional", AttentionMask.Direction.BIDIRECTIONAL),
        CAUSAL("causal", AttentionMask.Direction.CAUSAL),
        LEFT_ONLY("left-only", AttentionMask.Direction.BIDIRECTIONAL),
        RIGHT_MASKED("right-masked", AttentionMask.Direction.BIDIRECTIONAL),
        LEFT_OPEN("left-open", AttentionMask.Direction.BIDIRECTIONAL),
        NEXT_TOKEN("next-token", AttentionMask.Direction.CAUSAL);

        private final String label;
        private final AttentionMask.Direction direction;

        Condition(String label, AttentionMask.Direction direction) {
            this.label = label;
            this.direction = direction;
        }

        public String label() {
            return label;
        }

        public AttentionMask.Direction direction() {
            return direction;
        }

        public static Condition parse(String s) {
            for (Condition c : values()) if (c.label.equalsIgnoreCase(s.strip()) || c.name().equalsIgnoreCase(s.strip())) return c;
            throw new IllegalArgumentException("unknown condition '" + s + "': use bidirectional, causal, left-only, left-open, right-masked or next-token");
        }

        /** Whether the condition queries a causal LM's next-token prediction (else a masked LM's [MASK]). */
        public boolean forCausalLm() {
            return this == NEXT_TOKEN;
        }
    }

    /** The conditions run when none are asked for: next-token for a causal LM, bidirectional and causal for a masked LM. */
    public static List<Condition> defaultConditions(boolean causalLm) {
        return causalLm ? List.of(Condition.NEXT_TOKEN) : List.of(Condition.BIDIRECTIONAL, Condition.CAUSAL);
    }

    /**
     * Refuses, in one line, a condition the model was not trained for: a [MASK] condition on a causal LM (it never learnt
     * to fill a mask) or next-token on a masked LM (its head at t − 1 predicts the token at t − 1 itself).
     */
    public static void check(List<Condition> conditions, boolean causalLm, String model) {
        for (Condition c : conditions) {
            if (c.forCausalLm() && !causalLm) {
                throw new IllegalArgumentException("condition next-token needs a causal LM (config.json \"is_decoder\": true); " + model
                        + " is a masked LM: its from-the-left numbers are left-only and left-open");
            }
            if (!c.forCausalLm() && causalLm) {
                throw new IllegalArgumentException("condition " + c.label() + " needs a masked LM; " + model
                        + " is a causal LM (config.json \"is_decoder\": true) that never learnt to fill a [MASK]: use next-token");
            }
        }
    }

    /**
     * @param sentences   how many held-out sentences to draw
     * @param maskRate    fraction of each sentence's word pieces to mask (BERT's 0.15)
     * @param seed        draws the sentences and the masked positions
     * @param conditions  which attention conditions to score, in table order
     * @param batchTokens tokens per forward pass (queries are packed without padding)
     * @param minPieces   shortest eligible sentence, in word pieces
     * @param maxPieces   longest eligible sentence, in word pieces
     */
    public record Options(int sentences, double maskRate, long seed, List<Condition> conditions, int batchTokens,
                          int minPieces, int maxPieces) {
        public static final Options DEFAULT = new Options(2000, 0.15, 1, List.of(Condition.BIDIRECTIONAL, Condition.CAUSAL),
                4096, 8, 126);

        public Options {
            if (sentences < 1) throw new IllegalArgumentException("--sentences must be at least 1");
            Masking.count(1, maskRate);
            conditions = List.copyOf(new java.util.LinkedHashSet<>(conditions));
            if (conditions.isEmpty()) throw new IllegalArgumentException("no condition to evaluate");
            if (batchTokens < 1) throw new IllegalArgumentException("batch tokens must be at least 1");
            if (minPieces < 1 || maxPieces < minPieces) throw new IllegalArgumentException("need 1 ≤ min pieces ≤ max pieces");
        }
    }

    /**
     * One evaluated sentence.
     *
     * @param document the file it came from
     * @param index    its index in that file
     * @param ids      [CLS] pieces [SEP]
     * @param masked   the masked token indices into {@code ids} (1 … pieces), ascending
     */
    public record Item(String document, int index, int[] ids, int[] masked) {
        public int pieces() {
            return ids.length - 2;
        }

        /** The relative-position quintile 0…4 of token index {@code t}: piece (t − 1) of {@link #pieces()}. */
        public int quintile(int t) {
            return Math.min(4, 5 * (t - 1) / pieces());
        }
    }

    /**
     * The whole evaluation: split the corpus, draw held-out sentences and masks, score every condition.
     *
     * @param run the run's description (date, machine, model, seed, command); the elapsed time is added
     */
    public static MlmReport evaluate(Corpus corpus, EvalModel model, Options o, RunInfo run, Meter meter) {
        long start = System.nanoTime();
        check(o.conditions(), model.causalLm(), model.name());
        Split split = Split.of(corpus);
        if (split.test().isEmpty()) {
            throw new IllegalArgumentException("no held-out file in " + corpus.source() + ": the corpus needs at least two files");
        }
        int maxPieces = Math.min(o.maxPieces(), model.maxLength() - 2);
        Options fitted = new Options(o.sentences(), o.maskRate(), o.seed(), o.conditions(), o.batchTokens(), Math.min(o.minPieces(), maxPieces), maxPieces);
        List<Item> items = prepare(split.test(), model::pieces, model.tokenizer().clsId(), model.tokenizer().sepId(), fitted);
        MlmReport r = run(items, model, model.tokenizer().maskId(), model.tokenizer().sepId(), fitted, meter);
        return r.withContext(run.finished(System.nanoTime() - start), corpus.source(), split.test().size());
    }

    /** Draws the sentences and their masks from {@code documents} (the held-out files). */
    public static List<Item> prepare(List<Corpus.Document> documents, java.util.function.Function<String, int[]> pieces,
                                     int clsId, int sepId, Options o) {
        List<Item> eligible = new ArrayList<>();
        for (Corpus.Document d : documents) {
            for (int s = 0; s < d.sentences().size(); s++) {
                int[] p = pieces.apply(d.sentences().get(s).text());
                if (p.length < o.minPieces() || p.length > o.maxPieces()) continue;
                int[] ids = new int[p.length + 2];
                ids[0] = clsId;
                System.arraycopy(p, 0, ids, 1, p.length);
                ids[ids.length - 1] = sepId;
                int[] masked = Masking.positions(p.length, o.maskRate(), o.seed(), Masking.key(d.id(), s));
                for (int i = 0; i < masked.length; i++) masked[i]++;         // piece index → token index (after [CLS])
                eligible.add(new Item(d.id(), s, ids, masked));
            }
        }
        if (eligible.isEmpty()) {
            throw new IllegalArgumentException("no held-out sentence has " + o.minPieces() + "–" + o.maxPieces() + " word pieces");
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < eligible.size(); i++) order.add(i);
        Collections.shuffle(order, new Random(Masking.mix(o.seed(), 0x5E17E7CEL)));
        List<Integer> chosen = new ArrayList<>(order.subList(0, Math.min(o.sentences(), order.size())));
        Collections.sort(chosen);
        List<Item> out = new ArrayList<>(chosen.size());
        for (int i : chosen) out.add(eligible.get(i));
        return out;
    }

    /** The query a condition asks for target token {@code t} (≥ 1) of {@code ids}. */
    public static MaskedTokenScorer.Query query(Condition c, int[] ids, int t, int maskId, int sepId) {
        if (c == Condition.NEXT_TOKEN) return new MaskedTokenScorer.Query(Arrays.copyOf(ids, t), t - 1, ids[t]);
        int[] x = switch (c) {
            case BIDIRECTIONAL -> ids.clone();
            case CAUSAL -> Arrays.copyOf(ids, t + 1);
            case LEFT_ONLY -> {
                int[] y = Arrays.copyOf(ids, t + 2);
                y[t + 1] = sepId;
                yield y;
            }
            case LEFT_OPEN -> Arrays.copyOf(ids, t + 1);
            case RIGHT_MASKED -> {
                int[] y = ids.clone();
                for (int j = t + 1; j < y.length - 1; j++) y[j] = maskId;   // [SEP] stays
                yield y;
            }
            case NEXT_TOKEN -> throw new AssertionError();
        };
        x[t] = maskId;
        return new MaskedTokenScorer.Query(x, t, ids[t]);
    }

    /** Scores every masked token of every item under every condition. */
    public static MlmReport run(List<Item> items, MaskedTokenScorer scorer, int maskId, int sepId, Options o, Meter meter) {
        int masks = 0, pieces = 0;
        for (Item it : items) {
            masks += it.masked().length;
            pieces += it.pieces();
        }
        List<MlmReport.ConditionResult> results = new ArrayList<>();
        for (Condition c : o.conditions()) {
            MlmReport.Tally overall = new MlmReport.Tally();
            MlmReport.Tally[] byQuintile = new MlmReport.Tally[5];
            for (int q = 0; q < 5; q++) byQuintile[q] = new MlmReport.Tally();
            long start = System.nanoTime(), tokens = 0;
            int done = 0;
            meter.start("mlm " + c.label(), masks, "masks");
            try {
                List<MaskedTokenScorer.Query> batch = new ArrayList<>();
                List<int[]> where = new ArrayList<>();   // (item, token) of each query in the batch
                int batchTokens = 0;
                for (int i = 0; i < items.size(); i++) {
                    Item it = items.get(i);
                    for (int t : it.masked()) {
                        MaskedTokenScorer.Query q = query(c, it.ids(), t, maskId, sepId);
                        batch.add(q);
                        where.add(new int[] {i, t});
                        batchTokens += q.ids().length;
                        if (batchTokens >= o.batchTokens()) {
                            tokens += batchTokens;
                            done += flush(scorer, c, batch, where, items, overall, byQuintile);
                            batchTokens = 0;
                            meter.update(done);
                        }
                    }
                }
                tokens += batchTokens;
                done += flush(scorer, c, batch, where, items, overall, byQuintile);
                meter.update(done);
            } finally {
                meter.finish();
            }
            List<MlmReport.Metrics> quintiles = new ArrayList<>();
            for (MlmReport.Tally t : byQuintile) quintiles.add(t.metrics());
            results.add(new MlmReport.ConditionResult(c, overall.metrics(), quintiles, System.nanoTime() - start, tokens));
        }
        return new MlmReport(null, o, null, 0, items.size(), pieces, masks, results);
    }

    private static int flush(MaskedTokenScorer scorer, Condition c, List<MaskedTokenScorer.Query> batch, List<int[]> where,
                             List<Item> items, MlmReport.Tally overall, MlmReport.Tally[] byQuintile) {
        if (batch.isEmpty()) return 0;
        MaskedTokenScorer.Score[] scores = scorer.score(batch, c.direction());
        if (scores.length != batch.size()) throw new IllegalStateException("scorer returned " + scores.length + " scores for " + batch.size() + " queries");
        for (int k = 0; k < scores.length; k++) {
            Item it = items.get(where.get(k)[0]);
            overall.add(scores[k]);
            byQuintile[it.quintile(where.get(k)[1])].add(scores[k]);
        }
        int n = batch.size();
        batch.clear();
        where.clear();
        return n;
    }
}
