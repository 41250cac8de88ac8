package dev.mlm4j.pipelines;

import dev.mlm4j.config.ProblemType;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.train.Batches;
import dev.mlm4j.train.LabelMap;
import dev.mlm4j.train.Masking;
import dev.mlm4j.train.Objective;
import dev.mlm4j.train.Sequence;
import dev.mlm4j.train.Trainer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link Training}'s evaluation after each epoch: the model on the evaluation file's sequences in fixed batches (the
 * masks of an MLM evaluation drawn from the seed, the same every epoch), its loss and the metrics of its task.
 */
record TrainingEvaluation(Objective objective, Object model, Masking masking, Training.Options o, ProblemType problem, LabelMap labels) {

    /**
     * The metrics of the model on {@code evalSeqs}: eval_loss and eval_rows, with eval_accuracy and for a classifier
     * eval_macro_f1 (single-label), for a language model eval_perplexity; a regression's or multi-label classifier's
     * metrics are {@link #targets}'.
     */
    Map<String, Object> metrics(List<Sequence> evalSeqs) {
        if (objective.labelled() && problem != ProblemType.SINGLE_LABEL_CLASSIFICATION) return targets(evalSeqs);
        List<int[]> plan = Batches.plan(evalSeqs, o.batchTokens(), o.seed(), 0, false);
        double loss = 0;
        long correct = 0, rows = 0;
        List<int[]> pairs = new ArrayList<>();
        for (int i = 0; i < plan.size(); i++) {
            Trainer.Example e = objective.example(Batches.of(evalSeqs, plan.get(i)), masking, Batches.random(o.seed(), -2, i));
            Objective.Counts c = objective.evaluate(model, e, Kernels.get());
            loss += c.lossSum();
            correct += c.correct();
            rows += c.rows();
            if (objective.labelled()) {
                pairs.add(c.gold());
                pairs.add(c.predicted());
            }
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        double mean = loss / Math.max(1, rows);
        entry.put("eval_loss", mean);
        entry.put("eval_accuracy", rows == 0 ? 0.0 : (double) correct / rows);
        if (objective.labelled()) entry.put("eval_macro_f1", macroF1(pairs));
        else entry.put("eval_perplexity", Math.exp(mean));
        entry.put("eval_rows", rows);
        return entry;
    }

    /**
     * The metrics of a regression or multi-label classifier: eval_loss (the training loss: MSE or binary
     * cross-entropy, mean over every output of every text), then for regression eval_mse (= eval_loss) and
     * eval_pearson (Pearson's r between the logits and the targets, all outputs together), for multi-label
     * eval_micro_f1 and eval_exact_match (every label of a text right) with a label predicted where its sigmoid is
     * over 0.5 (logit > 0, as run_classification), and eval_rows (texts).
     */
    Map<String, Object> targets(List<Sequence> evalSeqs) {
        List<int[]> plan = Batches.plan(evalSeqs, o.batchTokens(), o.seed(), 0, false);
        double loss = 0;
        int elements = 0;
        List<Objective.Scores> all = new ArrayList<>();
        for (int i = 0; i < plan.size(); i++) {
            Trainer.Example e = objective.example(Batches.of(evalSeqs, plan.get(i)), masking, Batches.random(o.seed(), -2, i), problem);
            Objective.Scores sc = objective.score(model, e, Kernels.get());
            loss += sc.lossSum();
            elements += sc.targets().length;
            all.add(sc);
        }
        double mean = loss / Math.max(1, elements);
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("eval_loss", mean);
        if (problem == ProblemType.REGRESSION) {
            entry.put("eval_mse", mean);
            entry.put("eval_pearson", pearson(all));
        } else {
            int tp = 0, fp = 0, fn = 0, exact = 0, width = labels.size();
            for (Objective.Scores sc : all) {
                for (int r = 0; r < sc.targets().length / width; r++) {
                    boolean same = true;
                    for (int j = r * width; j < (r + 1) * width; j++) {
                        boolean gold = sc.targets()[j] > 0.5f, predicted = sc.logits()[j] > 0;
                        if (gold && predicted) tp++;
                        else if (predicted) fp++;
                        else if (gold) fn++;
                        same &= gold == predicted;
                    }
                    if (same) exact++;
                }
            }
            entry.put("eval_micro_f1", 2.0 * tp / Math.max(1, 2 * tp + fp + fn));
            entry.put("eval_exact_match", (double) exact / Math.max(1, evalSeqs.size()));
        }
        entry.put("eval_rows", (long) evalSeqs.size());
        return entry;
    }

    /** Pearson's r of the logits against the targets over every output (0 when either side is constant). */
    static double pearson(List<Objective.Scores> all) {
        double n = 0, sx = 0, sy = 0;
        for (Objective.Scores sc : all) {
            for (int i = 0; i < sc.targets().length; i++) {
                n++;
                sx += sc.logits()[i];
                sy += sc.targets()[i];
            }
        }
        double mx = sx / n, my = sy / n, cxy = 0, cxx = 0, cyy = 0;
        for (Objective.Scores sc : all) {
            for (int i = 0; i < sc.targets().length; i++) {
                double dx = sc.logits()[i] - mx, dy = sc.targets()[i] - my;
                cxy += dx * dy;
                cxx += dx * dx;
                cyy += dy * dy;
            }
        }
        return cxx == 0 || cyy == 0 ? 0 : cxy / Math.sqrt(cxx * cyy);
    }

    /** Mean over the labels seen (gold or predicted) of F1 = 2·tp / (2·tp + fp + fn); pairs alternate gold, predicted. */
    static double macroF1(List<int[]> pairs) {
        Map<Integer, int[]> counts = new HashMap<>(); // label → tp, fp, fn
        for (int p = 0; p < pairs.size(); p += 2) {
            int[] gold = pairs.get(p), pred = pairs.get(p + 1);
            for (int i = 0; i < gold.length; i++) {
                if (gold[i] == pred[i]) counts.computeIfAbsent(gold[i], k -> new int[3])[0]++;
                else {
                    counts.computeIfAbsent(pred[i], k -> new int[3])[1]++;
                    counts.computeIfAbsent(gold[i], k -> new int[3])[2]++;
                }
            }
        }
        double sum = 0;
        for (int[] c : counts.values()) sum += 2.0 * c[0] / Math.max(1, 2 * c[0] + c[1] + c[2]);
        return counts.isEmpty() ? 0 : sum / counts.size();
    }
}
