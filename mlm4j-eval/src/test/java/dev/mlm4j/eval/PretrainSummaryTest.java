package dev.mlm4j.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The experiment's tables from a hand-made folder in scripts/seed-pretrain's layout, in the JSON shapes the eval commands
 * and ./mlm4j train write; the expected cells are worked out by hand from the numbers written here.
 */
class PretrainSummaryTest {
    @TempDir Path out;

    private void write(String path, String text) throws IOException {
        Path p = out.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    private void run(String run, double top1Bi, double top1Left, double tokens) throws IOException {
        write("runs/" + run + "/config.json", "{}");
        write("runs/" + run + ".json", "{\"tokens\": " + tokens + ", \"seconds\": 100}");
        write("runs/" + run + "/training_log.jsonl", """
                {"step":1,"loss":9.0}
                {"step":2,"loss":7.0}
                {"step":2,"epoch":1,"eval_loss":6.5}
                """);
        boolean causal = run.startsWith("b");
        String results = causal
                ? "{\"condition\":\"next-token\",\"overall\":{\"top1\":" + top1Left + ",\"top5\":0.4,\"pseudo_perplexity\":200.0}}"
                : "{\"condition\":\"bidirectional\",\"overall\":{\"top1\":" + top1Bi + ",\"top5\":0.3,\"pseudo_perplexity\":600.0}},"
                  + "{\"condition\":\"left-only\",\"overall\":{\"top1\":" + top1Left + ",\"top5\":0.1,\"pseudo_perplexity\":9000.0}}";
        write("eval/" + run + "/mlm.json", "{\"results\":[" + results + "]}");
        write("eval/" + run + "/probe.json", """
                {"tasks":[{"task":"pos","results":[
                  {"features":"causal mask, last layer%s","test_accuracy":0.70,"macro_f1":0.5},
                  {"features":"bidirectional, last layer%s","test_accuracy":0.80,"macro_f1":0.6}]}]}
                """.formatted(causal ? " — the model's own" : "", causal ? "" : " — the model's own"));
        write("finetune/" + run + "-pos/training_log.jsonl", """
                {"step":1,"loss":2.0}
                {"step":1,"epoch":0,"eval_loss":0.5,"eval_accuracy":0.5,"eval_macro_f1":0.4}
                {"step":2,"epoch":1,"eval_loss":0.4,"eval_accuracy":0.9,"eval_macro_f1":0.8}
                """);
    }

    @Test
    void meansAndSampleDeviationsOverSeedsEachModelUnderItsOwnCondition() throws IOException {
        run("a-seed1", 0.10, 0.04, 1000);
        run("a-seed2", 0.20, 0.06, 1000);
        run("b-seed1", 0, 0.25, 1000);
        write("runs/c-seed1/training_log.jsonl", "{\"step\":1,\"loss\":9.0}\n"); // unfinished: no config.json, not a run
        PretrainSummary s = PretrainSummary.read(out);
        String md = s.markdown();
        // a: top-1 bidirectional 10 % and 20 %: mean 15.0, sample sd √((5² + 5²)/1) = 7.07
        assertTrue(md.contains("| top-1 accuracy (%) | 15.0 ± 7.1 | 25.0 | — | — |"), md);
        // from the left: a's left-only 4 % and 6 % (mean 5.0, sd 1.41); b's own next-token 25 %
        assertTrue(md.contains("| top-1 accuracy (%) | 5.0 ± 1.4 | 25.0 | — | — |"), md);
        // each model's own probe row: a bidirectional (80 %), b causal (70 %)
        assertTrue(md.contains("| POS probe accuracy (%) | 80.0 ± 0.0 | 70.0 | — | — |"), md);
        // fine-tuning: the last evaluation of the log
        assertTrue(md.contains("| POS fine-tuned accuracy (%) | 90.0 ± 0.0 | 90.0 | — | — |"), md);
        // training loss: mean of the last 50 training steps (here both), evaluation lines left out
        assertTrue(md.contains("| training loss (mean of the last 50 steps) | 8.000 ± 0.000 | 8.000 | — | — |"), md);
        assertTrue(md.contains("Seeds: (a) [1, 2] (b) [1] (c) [] (d) []"), md);
        // a name with |…| keeps the Markdown table's columns
        assertTrue(md.contains("| last hidden state: max \\|h(πX) − P·h(X)\\| / max\\|h\\| | — | — | — | — |"), md);
        @SuppressWarnings("unchecked")
        Map<String, Object> top1 = (Map<String, Object>) ((Map<String, Object>) s.toJson().get("infilling")).get("top-1 accuracy (%)");
        @SuppressWarnings("unchecked")
        Map<String, Object> a = (Map<String, Object>) top1.get("a");
        assertEquals(0.15, (double) a.get("mean"), 1e-12);
        assertEquals(Math.sqrt(0.005), (double) a.get("sd"), 1e-12);
        assertEquals(Map.of("1", 0.10, "2", 0.20), a.get("per_seed"));
        assertEquals(Map.of("a", List.of("a-seed1", "a-seed2"), "b", List.of("b-seed1"), "c", List.of(), "d", List.of()), s.toJson().get("runs"));
    }

    @Test
    void aFolderWithoutFinishedRunsIsRefusedInOneLine() throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PretrainSummary.read(out));
        assertTrue(e.getMessage().contains("no runs/ folder"), e.getMessage());
        Files.createDirectories(out.resolve("runs/a-seed1"));
        e = assertThrows(IllegalArgumentException.class, () -> PretrainSummary.read(out));
        assertTrue(e.getMessage().contains("holds no finished run"), e.getMessage());
    }
}
