package dev.mlm4j.model;

import dev.mlm4j.pipelines.FeatureExtraction;
import dev.mlm4j.pipelines.Models;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The encoder reuses one idle layer workspace between calls (LayerState) and updates the hidden state in place:
 * a call's result must not depend on what ran before it, on a smaller or larger batch, or on another thread
 * holding the workspace at the same time. Checked bit for bit against the same texts run first.
 */
class EncoderStateTest {
    private static FeatureExtraction miniLm;
    private static final List<String> SHORT = List.of("A man is playing a guitar.", "Someone plays an instrument.", "The cat sleeps.");
    private static final List<String> LONG = List.of(
            "The Fulton County Grand Jury said Friday an investigation of Atlanta's recent primary election produced no evidence "
                    + "that any irregularities took place. The jury further said in term-end presentments that the City Executive "
                    + "Committee, which had over-all charge of the election, deserves the praise and thanks of the City of Atlanta "
                    + "for the manner in which the election was conducted.",
            "It urged that the city take steps to remedy this problem.", "Only a relative handful of such reports was received.");

    @BeforeAll
    static void load() {
        miniLm = Models.embeddings(TestModels.folder("all-MiniLM-L6-v2").toString());
    }

    @Test
    void aCallIsTheSameBeforeAndAfterLargerAndSmallerBatches() {
        List<float[]> first = miniLm.embed(SHORT), long1 = miniLm.embed(LONG);
        List<float[]> again = miniLm.embed(SHORT);   // the workspace now sized for LONG
        List<float[]> long2 = miniLm.embed(LONG);    // … and used for SHORT in between
        for (int i = 0; i < SHORT.size(); i++) assertArrayEquals(first.get(i), again.get(i), SHORT.get(i));
        for (int i = 0; i < LONG.size(); i++) assertArrayEquals(long1.get(i), long2.get(i), LONG.get(i));
        assertFalse(java.util.Arrays.equals(first.get(0), first.get(1)), "different texts, different vectors");
    }

    @Test
    void concurrentCallsDoNotShareAWorkspace() throws Exception {
        List<float[]> shortRef = miniLm.embed(SHORT), longRef = miniLm.embed(LONG);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Boolean>> runs = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                boolean longFirst = t % 2 == 0;
                runs.add(pool.submit(() -> {
                    boolean ok = true;
                    for (int i = 0; i < 15; i++) {
                        boolean useLong = longFirst ^ (i % 2 == 0);
                        List<float[]> got = miniLm.embed(useLong ? LONG : SHORT), ref = useLong ? longRef : shortRef;
                        for (int j = 0; j < got.size(); j++) ok &= java.util.Arrays.equals(ref.get(j), got.get(j));
                    }
                    return ok;
                }));
            }
            for (Future<Boolean> f : runs) assertTrue(f.get(), "a concurrent call gave other numbers than the same call alone");
        } finally {
            pool.shutdownNow();
        }
    }
}
