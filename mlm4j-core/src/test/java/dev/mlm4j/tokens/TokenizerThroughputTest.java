package dev.mlm4j.tokens;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sentences per second on the 10,000 Brown sentences, one thread, next to Hugging Face's Rust tokenizer called
 * through DJL on the same sentences (which includes JNI and string-copy costs). Medians of 5 timed rounds after
 * 3 warm-up rounds (Hugging Face: 3 after 1); the machine is shared, so the floor asserted is deliberately low.
 */
class TokenizerThroughputTest {

    @Test
    void brownSentencesPerSecond() throws IOException {
        List<String> brown = TestData.brown();
        WordPieceTokenizer ours = TestData.tokenizer(TestData.UNCASED, true);
        long tokens = 0;
        for (String s : brown) {
            tokens += ours.encode(s, Integer.MAX_VALUE, false).length();
        }
        double oursRate = median(() -> {
            for (String s : brown) {
                ours.encode(s, Integer.MAX_VALUE, false);
            }
        }, brown.size(), 3, 5);
        double hfRate;
        try (HfOracle hf = HfOracle.ofVocab(TestData.lines(TestData.UNCASED), true, 0)) {
            hfRate = median(() -> {
                for (String s : brown) {
                    hf.encode(s);
                }
            }, brown.size(), 1, 3);
        }
        System.out.printf("[throughput] mlm4j: %,.0f sentences/s (%,.0f tokens/s), Hugging Face via DJL: %,.0f "
                + "sentences/s; %d sentences, %.1f tokens each%n", oursRate, oursRate * tokens / brown.size(), hfRate,
                brown.size(), (double) tokens / brown.size());
        assertTrue(oursRate > 5_000, "tokenizing became a bottleneck: " + oursRate + " sentences/s");
    }

    private static double median(Runnable round, int sentences, int warmUps, int rounds) {
        for (int i = 0; i < warmUps; i++) {
            round.run();
        }
        double[] rates = new double[rounds];
        for (int i = 0; i < rates.length; i++) {
            long t0 = System.nanoTime();
            round.run();
            rates[i] = sentences / ((System.nanoTime() - t0) / 1e9);
        }
        Arrays.sort(rates);
        return rates[rates.length / 2];
    }
}
