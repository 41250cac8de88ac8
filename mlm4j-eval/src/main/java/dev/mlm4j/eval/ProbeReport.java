package dev.mlm4j.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the probes measured: per task, one row per feature set or baseline.
 *
 * @param run   where and when (null in tests)
 * @param tasks in the order run
 */
public record ProbeReport(RunInfo run, List<Task> tasks) {

    /**
     * One classifier's scores on a task.
     *
     * @param features       what it saw ("bidirectional, last layer", "majority class", …)
     * @param testAccuracy   on the held-out files
     * @param macroF1        on the held-out files, mean over classes
     * @param unseenAccuracy POS only: accuracy on test words that never occur in the training sentences (NaN otherwise)
     * @param trainAccuracy  on the training examples (NaN for baselines without training)
     */
    public record Row(String features, double testAccuracy, double macroF1, double unseenAccuracy, double trainAccuracy) {}

    /**
     * @param name          "pos" or "genre"
     * @param description   one sentence on the setup, printed under the table
     * @param classes       the label names
     * @param trainUnits    training sentences (POS) or passages (genre)
     * @param testUnits     test sentences or passages
     * @param trainExamples training examples (words or passages)
     * @param testExamples  test examples
     * @param trainFiles    files the training units came from
     * @param testFiles     held-out files the test units came from
     * @param rows          baselines first, then the frozen-feature probes
     * @param seconds       wall-clock time of each feature extraction and training, by label
     */
    public record Task(String name, String description, List<String> classes, int trainUnits, int testUnits, int trainExamples,
                       int testExamples, int trainFiles, int testFiles, List<Row> rows, Map<String, Double> seconds) {}

    public ProbeReport withRun(RunInfo r) {
        return new ProbeReport(r, tasks);
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (run != null) m.put("run", run.toJson());
        List<Object> ts = new ArrayList<>();
        for (Task t : tasks) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("task", t.name());
            o.put("description", t.description());
            o.put("classes", t.classes());
            o.put("train_units", t.trainUnits());
            o.put("test_units", t.testUnits());
            o.put("train_examples", t.trainExamples());
            o.put("test_examples", t.testExamples());
            o.put("train_files", t.trainFiles());
            o.put("test_files", t.testFiles());
            List<Object> rows = new ArrayList<>();
            for (Row r : t.rows()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("features", r.features());
                e.put("test_accuracy", MlmReport.round(r.testAccuracy(), 5));
                e.put("macro_f1", MlmReport.round(r.macroF1(), 5));
                if (!Double.isNaN(r.unseenAccuracy())) e.put("unseen_word_accuracy", MlmReport.round(r.unseenAccuracy(), 5));
                if (!Double.isNaN(r.trainAccuracy())) e.put("train_accuracy", MlmReport.round(r.trainAccuracy(), 5));
                rows.add(e);
            }
            o.put("results", rows);
            Map<String, Object> secs = new LinkedHashMap<>();
            t.seconds().forEach((k, v) -> secs.put(k, MlmReport.round(v, 1)));
            o.put("seconds", secs);
            ts.add(o);
        }
        m.put("tasks", ts);
        return m;
    }

    public String markdown() {
        StringBuilder sb = new StringBuilder();
        for (Task t : tasks) {
            boolean pos = t.rows().stream().anyMatch(r -> !Double.isNaN(r.unseenAccuracy()));
            sb.append(t.name().equals("pos") ? "#### Part-of-speech tagging (Brown, 12 universal tags)\n\n"
                    : "#### Genre classification (Brown, " + t.classes().size() + " genres)\n\n");
            sb.append("| features | test accuracy | macro-F1 |").append(pos ? " accuracy on unseen words |" : "").append(" train accuracy |\n");
            sb.append("|---|---:|---:|").append(pos ? "---:|" : "").append("---:|\n");
            for (Row r : t.rows()) {
                sb.append("| ").append(r.features()).append(" | ").append(pct(r.testAccuracy(), t.testExamples()))
                        .append(" | ").append(num(r.macroF1())).append(" |");
                if (pos) sb.append(' ').append(pct(r.unseenAccuracy(), 0)).append(" |");
                sb.append(' ').append(pct(r.trainAccuracy(), 0)).append(" |\n");
            }
            sb.append('\n').append(t.description()).append(String.format(Locale.ROOT,
                    " Train: %,d %s (%,d examples) from %d files; test: %,d %s (%,d examples) from %d held-out files.",
                    t.trainUnits(), t.name().equals("pos") ? "sentences" : "passages", t.trainExamples(), t.trainFiles(),
                    t.testUnits(), t.name().equals("pos") ? "sentences" : "passages", t.testExamples(), t.testFiles()));
            sb.append(" Time:");
            t.seconds().forEach((k, v) -> sb.append(String.format(Locale.ROOT, " %s %.0f s;", k, v)));
            sb.setLength(sb.length() - 1);
            sb.append(".\n\n");
        }
        if (run != null) sb.append("Run: ").append(run.markdownLine()).append(".\n");
        return sb.toString();
    }

    private static String pct(double v, int n) {
        return Double.isNaN(v) ? "–" : MlmReport.percent(v, n);
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.3f", v);
    }
}
