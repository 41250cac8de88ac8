package dev.mlm4j.pipelines;

import dev.mlm4j.config.Precision;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How far int8 weights move the answers from fp32, on Brown sentences:
 * <ul>
 *   <li>embeddings (all-MiniLM-L6-v2, bge-small-en-v1.5): cosine between each sentence's fp32 and int8 pooled vector;</li>
 *   <li>fill-mask (bert-base-uncased): one word per sentence replaced by [MASK] (the middle word of at least three
 *       letters); how often int8's top-1 word is fp32's, and how often each recovers the original word.</li>
 * </ul>
 * <pre>java -cp benchmarks.jar dev.mlm4j.pipelines.Int8Accuracy [sentences]</pre>
 */
public final class Int8Accuracy {
    public static void main(String[] args) {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        List<String> brown = BenchInputs.brown();
        List<String> texts = brown.subList(0, count);
        System.out.printf(Locale.ROOT, "# Int8Accuracy %s | %d Brown sentences%n", java.time.Instant.now(), count);
        for (String name : new String[] {"all-MiniLM-L6-v2", "bge-small-en-v1.5"}) {
            List<float[]> a = Models.embeddings(name, null, Precision.FP32).embed(texts);
            List<float[]> b = Models.embeddings(name, null, Precision.INT8).embed(texts);
            double[] cos = new double[count];
            for (int i = 0; i < count; i++) cos[i] = Similarity.cosine(a.get(i), b.get(i));
            double[] sorted = cos.clone();
            Arrays.sort(sorted);
            System.out.printf(Locale.ROOT, "%s embeddings: cosine(fp32, int8) over %d sentences: min %.5f, 1st percentile %.5f, median %.5f, mean %.5f%n",
                    name, count, sorted[0], sorted[count / 100], BenchInputs.median(cos), Arrays.stream(cos).average().orElse(0));
        }
        List<String> masked = new ArrayList<>(), answers = new ArrayList<>();
        for (String s : brown) {
            String[] words = s.split(" ");
            for (int d = 0; d < words.length; d++) {
                int i = words.length / 2 + (d % 2 == 0 ? d / 2 : -(d / 2 + 1));
                if (i < 0 || i >= words.length || !words[i].matches("[A-Za-z]{3,}")) continue;
                words[i] = "[MASK]";
                masked.add(String.join(" ", words));
                answers.add(s.split(" ")[i].toLowerCase(Locale.ROOT));
                break;
            }
            if (masked.size() == count) break;
        }
        FillMask fp32 = Models.fillMask("bert-base-uncased", null, Precision.FP32);
        FillMask int8 = Models.fillMask("bert-base-uncased", null, Precision.INT8);
        int agree = 0, right32 = 0, right8 = 0, top5 = 0;
        double maxScoreDiff = 0;
        for (int i = 0; i < masked.size(); i++) {
            var p = fp32.fill(masked.get(i), FillMask.Options.DEFAULT).get(0).predictions();
            var q = int8.fill(masked.get(i), FillMask.Options.DEFAULT).get(0).predictions();
            if (p.get(0).token() == q.get(0).token()) agree++;
            if (p.get(0).tokenStr().equals(answers.get(i))) right32++;
            if (q.get(0).tokenStr().equals(answers.get(i))) right8++;
            int t = q.get(0).token();
            if (p.stream().anyMatch(x -> x.token() == t)) top5++;
            maxScoreDiff = Math.max(maxScoreDiff, Math.abs(p.get(0).score() - q.get(0).score()));
        }
        int n = masked.size();
        System.out.printf(Locale.ROOT, "bert-base-uncased fill-mask, %d Brown sentences with one word masked: top-1 agreement int8 vs fp32 %d/%d = %.1f%%;"
                        + " int8's top-1 in fp32's top-5 %.1f%%; original word recovered: fp32 %.1f%%, int8 %.1f%%; max |Δ top-1 probability| %.4f%n",
                n, agree, n, 100.0 * agree / n, 100.0 * top5 / n, 100.0 * right32 / n, 100.0 * right8 / n, maxScoreDiff);
    }
}
