package dev.mlm4j.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tables of issue 19's experiment (docs/SEED-CLAIMS.md, "The fair comparison"), read from the folder that
 * {@code scripts/seed-pretrain} fills: three kinds of model pre-trained from scratch on the same data with the same
 * budget — (a) bidirectional MLM, (b) causal LM, (c) bidirectional MLM without position embeddings — each with
 * several seeds, and every evaluation of each run; (d) is (a) trained on twice the tokens, which costs what (b) costs
 * (a causal LM computes logits at every position, an MLM only at the masked 15 %).
 *
 * <p>Layout read (a missing file leaves its cells empty, so a partial experiment still prints):
 * <pre>
 * OUT/runs/&lt;kind&gt;-seed&lt;N&gt;/training_log.jsonl            pre-training log (per step, per evaluation)
 * OUT/runs/&lt;kind&gt;-seed&lt;N&gt;.json                         ./mlm4j train --json summary (tokens, seconds)
 * OUT/eval/&lt;kind&gt;-seed&lt;N&gt;/mlm.json                      ./mlm4j eval mlm --json
 * OUT/eval/&lt;kind&gt;-seed&lt;N&gt;/probe.json                    ./mlm4j eval probe --task all --json
 * OUT/eval/&lt;kind&gt;-seed&lt;N&gt;/permute.json                  ./mlm4j eval permute --json
 * OUT/eval/&lt;kind&gt;-seed&lt;N&gt;/generate.json                 ./mlm4j eval generate --json
 * OUT/finetune/&lt;kind&gt;-seed&lt;N&gt;-&lt;pos|genre&gt;/training_log.jsonl   ./mlm4j train tag|classify, evaluated on test
 * </pre>
 * Every number is the mean over the seeds found, ± the sample standard deviation when there are two or more, with the
 * per-seed values beside it in the JSON.
 */
public final class PretrainSummary {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RUN = Pattern.compile("([abcd])-seed(\\d+)");

    /** The three kinds, in table order, with what each is. */
    public enum Kind {
        A("a", "bidirectional MLM"),
        B("b", "causal LM"),
        C("c", "bidirectional MLM, no positions"),
        D("d", "bidirectional MLM, (b)'s compute");

        final String id, label;

        Kind(String id, String label) {
            this.id = id;
            this.label = label;
        }

        static Kind of(String id) {
            for (Kind k : values()) if (k.id.equals(id)) return k;
            throw new IllegalArgumentException(id);
        }

        boolean causal() {
            return this == B;
        }
    }

    private final Path out;
    /** kind → seed → run name ("a-seed1"). */
    private final Map<Kind, TreeMap<Long, String>> runs = new LinkedHashMap<>();

    private PretrainSummary(Path out) {
        this.out = out;
    }

    /** Reads the runs under {@code out/runs}; refuses a folder with none. */
    public static PretrainSummary read(Path out) throws IOException {
        Path dir = out.resolve("runs");
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException(out + " has no runs/ folder: run scripts/seed-pretrain first");
        PretrainSummary s = new PretrainSummary(out);
        for (Kind k : Kind.values()) s.runs.put(k, new TreeMap<>());
        try (var list = Files.list(dir)) {
            for (Path p : list.sorted().toList()) {
                Matcher m = RUN.matcher(p.getFileName().toString());
                if (Files.isDirectory(p) && m.matches() && Files.isRegularFile(p.resolve("config.json"))) {
                    s.runs.get(Kind.of(m.group(1))).put(Long.parseLong(m.group(2)), m.group());
                }
            }
        }
        if (s.runs.values().stream().allMatch(Map::isEmpty)) throw new IllegalArgumentException(dir + " holds no finished run (a-seed1, b-seed1, …)");
        return s;
    }

    // ------------------------------------------------------------------ reading one number per run

    private JsonNode json(Path p) {
        try {
            return Files.isRegularFile(p) ? JSON.readTree(p.toFile()) : null;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + p + ": " + e.getMessage());
        }
    }

    /** The last line of a JSON Lines log that has {@code key}. */
    private JsonNode lastWith(Path log, String key) {
        if (!Files.isRegularFile(log)) return null;
        try {
            JsonNode found = null;
            for (String line : Files.readAllLines(log)) {
                if (line.isBlank()) continue;
                JsonNode n = JSON.readTree(line);
                if (n.has(key)) found = n;
            }
            return found;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + log + ": " + e.getMessage());
        }
    }

    /** Mean training loss over the last {@code n} steps of a log. */
    private Double lastTrainLoss(Path log, int n) {
        if (!Files.isRegularFile(log)) return null;
        try {
            List<Double> losses = new ArrayList<>();
            for (String line : Files.readAllLines(log)) {
                if (line.isBlank()) continue;
                JsonNode j = JSON.readTree(line);
                if (j.has("loss") && !j.has("eval_loss")) losses.add(j.get("loss").asDouble());
            }
            if (losses.isEmpty()) return null;
            return losses.subList(Math.max(0, losses.size() - n), losses.size()).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + log + ": " + e.getMessage());
        }
    }

    /** {@code eval mlm}'s overall {@code metric} under {@code condition}. */
    private Double mlm(String run, String condition, String metric) {
        JsonNode j = json(out.resolve("eval").resolve(run).resolve("mlm.json"));
        if (j == null) return null;
        for (JsonNode r : j.path("results")) {
            if (r.path("condition").asText().equals(condition)) return number(r.path("overall").path(metric));
        }
        return null;
    }

    /** {@code eval probe}'s test accuracy of the row whose features name starts with {@code features}. */
    private Double probe(String run, String task, String features, String metric) {
        JsonNode j = json(out.resolve("eval").resolve(run).resolve("probe.json"));
        if (j == null) return null;
        for (JsonNode t : j.path("tasks")) {
            if (!t.path("task").asText().equals(task)) continue;
            for (JsonNode r : t.path("results")) {
                if (r.path("features").asText().startsWith(features)) return number(r.path(metric));
            }
        }
        return null;
    }

    private Double finetune(String run, String task, String metric) {
        JsonNode last = lastWith(out.resolve("finetune").resolve(run + "-" + task).resolve("training_log.jsonl"), metric);
        return last == null ? null : number(last.get(metric));
    }

    private static Double number(JsonNode n) {
        return n == null || n.isMissingNode() || n.isNull() || !n.isNumber() ? null : n.asDouble();
    }

    // ------------------------------------------------------------------ statistics over seeds

    /** Per-seed values of one measurement of one kind, and their mean ± sample standard deviation. */
    public record Cell(Map<Long, Double> perSeed) {
        double mean() {
            return perSeed.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        }

        double sd() {
            int n = perSeed.size();
            if (n < 2) return Double.NaN;
            double m = mean(), ss = 0;
            for (double v : perSeed.values()) ss += (v - m) * (v - m);
            return Math.sqrt(ss / (n - 1));
        }

        String format(String pattern, double scale) {
            if (perSeed.isEmpty()) return "—";
            String m = String.format(Locale.ROOT, pattern, mean() * scale);
            return perSeed.size() < 2 ? m : m + " ± " + String.format(Locale.ROOT, pattern, sd() * scale);
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            Map<String, Object> seeds = new LinkedHashMap<>();
            perSeed.forEach((k, v) -> seeds.put(String.valueOf(k), v));
            m.put("per_seed", seeds);
            if (!perSeed.isEmpty()) m.put("mean", mean());
            if (perSeed.size() > 1) m.put("sd", sd());
            return m;
        }
    }

    private Cell cell(Kind k, Function<String, Double> value) {
        Map<Long, Double> per = new TreeMap<>();
        runs.get(k).forEach((seed, run) -> {
            Double v = value.apply(run);
            if (v != null && Double.isFinite(v)) per.put(seed, v);
        });
        return new Cell(per);
    }

    /** One row of a table: a measurement for the three kinds. */
    private record Row(String name, String pattern, double scale, Map<Kind, Cell> cells) {}

    private Row row(String name, String pattern, double scale, Function<Kind, Function<String, Double>> value) {
        Map<Kind, Cell> cells = new LinkedHashMap<>();
        for (Kind k : Kind.values()) cells.put(k, cell(k, value.apply(k)));
        return new Row(name, pattern, scale, cells);
    }

    // ------------------------------------------------------------------ the tables

    private List<Row> pretraining() {
        return List.of(
                row("tokens seen", "%.0f", 1, k -> run -> {
                    JsonNode j = json(out.resolve("runs").resolve(run + ".json"));
                    return j == null ? null : number(j.path("tokens"));
                }),
                row("training loss (mean of the last 50 steps)", "%.3f", 1, k -> run -> lastTrainLoss(out.resolve("runs").resolve(run).resolve("training_log.jsonl"), 50)),
                row("dev loss after the last epoch", "%.3f", 1, k -> run -> {
                    JsonNode j = lastWith(out.resolve("runs").resolve(run).resolve("training_log.jsonl"), "eval_loss");
                    return j == null ? null : number(j.get("eval_loss"));
                }),
                row("training time (s)", "%.0f", 1, k -> run -> {
                    JsonNode j = json(out.resolve("runs").resolve(run + ".json"));
                    return j == null ? null : number(j.path("seconds"));
                }));
    }

    /**
     * {@code eval mlm}'s three numbers, the causal LM always by its own {@code next-token} condition and the MLMs by
     * {@code mlmCondition}: {@code bidirectional} (infilling: the context each was trained on; the causal LM has only
     * the left) or {@code left-only} (the left context alone).
     */
    private List<Row> maskedTokens(String mlmCondition) {
        Function<Kind, String> cond = k -> k.causal() ? "next-token" : mlmCondition;
        return List.of(
                row("top-1 accuracy (%)", "%.1f", 100, k -> run -> mlm(run, cond.apply(k), "top1")),
                row("top-5 accuracy (%)", "%.1f", 100, k -> run -> mlm(run, cond.apply(k), "top5")),
                row("perplexity", "%.1f", 1, k -> run -> mlm(run, cond.apply(k), "pseudo_perplexity")));
    }

    private List<Row> understanding() {
        Function<Kind, String> own = k -> k.causal() ? "causal mask, last layer" : "bidirectional, last layer";
        return List.of(
                row("POS probe accuracy (%)", "%.1f", 100, k -> run -> probe(run, "pos", own.apply(k), "test_accuracy")),
                row("POS fine-tuned accuracy (%)", "%.1f", 100, k -> run -> finetune(run, "pos", "eval_accuracy")),
                row("genre probe accuracy (%)", "%.1f", 100, k -> run -> probe(run, "genre", own.apply(k), "test_accuracy")),
                row("genre probe macro F1 (%)", "%.1f", 100, k -> run -> probe(run, "genre", own.apply(k), "macro_f1")),
                row("genre fine-tuned accuracy (%)", "%.1f", 100, k -> run -> finetune(run, "genre", "eval_accuracy")),
                row("genre fine-tuned macro F1 (%)", "%.1f", 100, k -> run -> finetune(run, "genre", "eval_macro_f1")));
    }

    /** {@code eval generate}'s summary {@code metric} of {@code strategy}. */
    private Double generate(String run, String strategy, String metric) {
        JsonNode j = json(out.resolve("eval").resolve(run).resolve("generate.json"));
        if (j == null) return null;
        for (JsonNode r : j.path("summary")) if (r.path("strategy").asText().equals(strategy)) return number(r.path(metric));
        return null;
    }

    /** Left to right as each model can: the causal LM from its next-token head, an MLM by filling an appended [MASK]. */
    private List<Row> generation() {
        Function<Kind, String> ltr = k -> k.causal() ? "causal-lm" : "left-to-right";
        return List.of(
                row("left to right: judge's pseudo-perplexity (bert-base-uncased)", "%.1f", 1, k -> run -> generate(run, ltr.apply(k), "judge_pseudo_perplexity_geomean")),
                row("left to right: distinct-2 (%)", "%.1f", 100, k -> run -> generate(run, ltr.apply(k), "distinct_2")),
                row("left to right: repeated trigrams (%)", "%.1f", 100, k -> run -> generate(run, ltr.apply(k), "repeated_trigrams")),
                row("mask-predict: judge's pseudo-perplexity", "%.1f", 1, k -> run -> k.causal() ? null : generate(run, "mask-predict", "judge_pseudo_perplexity_geomean")),
                row("mask-predict: distinct-2 (%)", "%.1f", 100, k -> run -> k.causal() ? null : generate(run, "mask-predict", "distinct_2")),
                row("mask-predict: repeated trigrams (%)", "%.1f", 100, k -> run -> k.causal() ? null : generate(run, "mask-predict", "repeated_trigrams")));
    }

    private Double permute(String run, String part, String metric) {
        JsonNode j = json(out.resolve("eval").resolve(run).resolve("permute.json"));
        return j == null ? null : number(j.path(part).path(metric));
    }

    /** Theorem 1: distance from equivariance, relative to the largest value. */
    private List<Row> permutation() {
        return List.of(
                row("last hidden state: max |h(πX) − P·h(X)| / max|h|", "%.2g", 1, k -> run -> permute(run, "last_hidden_state", "max")),
                row("last hidden state: mean", "%.2g", 1, k -> run -> permute(run, "last_hidden_state", "mean")),
                row("layer 1 attention: max |A(πX) − P·A(X)·Pᵀ| / max|A|", "%.2g", 1, k -> run -> permute(run, "layer1_attention", "max")),
                row("layer 1 attention: mean", "%.2g", 1, k -> run -> permute(run, "layer1_attention", "mean")));
    }

    private static String table(String title, List<Row> rows) {
        StringBuilder b = new StringBuilder("#### ").append(title).append("\n\n| |");
        for (Kind k : Kind.values()) b.append(" (").append(k.id).append(") ").append(k.label).append(" |");
        b.append("\n|---|");
        for (int i = 0; i < Kind.values().length; i++) b.append("---:|");
        b.append('\n');
        for (Row r : rows) {
            b.append("| ").append(r.name.replace("|", "\\|")).append(" |");
            for (Kind k : Kind.values()) b.append(' ').append(r.cells.get(k).format(r.pattern, r.scale)).append(" |");
            b.append('\n');
        }
        return b.append('\n').toString();
    }

    private String seedsLine() {
        StringBuilder b = new StringBuilder("Seeds: ");
        for (Kind k : Kind.values()) b.append('(').append(k.id).append(") ").append(runs.get(k).keySet()).append(' ');
        return b.toString().strip() + ". Mean over the seeds ± their sample standard deviation.\n\n";
    }

    /** One table: its Markdown title, its key in the JSON and its rows. */
    private record Table(String title, String key, List<Row> rows) {}

    /** Every table, in order; reads the run folders once per call. */
    private List<Table> tables() {
        return List.of(
                new Table("Pre-training (same data; a, b and c: the same tokens and steps; d: twice the tokens)", "pretraining", pretraining()),
                new Table("Infilling on held-out text: each model with the context it was trained on (the causal LM sees only the left)",
                        "infilling", maskedTokens("bidirectional")),
                new Table("From the left only (next-token prediction)", "left_only", maskedTokens("left-only")),
                new Table("Understanding tasks: frozen-feature probes and fine-tuning, each model under its own attention", "understanding", understanding()),
                new Table("Generation: 16 pieces after each held-out prompt", "generation", generation()),
                new Table("Theorem 1: distance from permutation equivariance on held-out sentences", "permutation", permutation()));
    }

    public String markdown() {
        StringBuilder b = new StringBuilder(seedsLine());
        for (Table t : tables()) b.append(table(t.title, t.rows));
        return b.toString();
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> rs = new LinkedHashMap<>();
        runs.forEach((k, seeds) -> rs.put(k.id, new ArrayList<>(seeds.values())));
        m.put("runs", rs);
        for (Table t : tables()) put(m, t.key, t.rows);
        return m;
    }

    private static void put(Map<String, Object> m, String name, List<Row> rows) {
        Map<String, Object> t = new LinkedHashMap<>();
        for (Row r : rows) {
            Map<String, Object> cells = new LinkedHashMap<>();
            r.cells.forEach((k, c) -> cells.put(k.id, c.toJson()));
            t.put(r.name, cells);
        }
        m.put(name, t);
    }
}
