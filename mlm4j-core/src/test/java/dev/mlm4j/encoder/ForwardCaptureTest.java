package dev.mlm4j.encoder;

import dev.mlm4j.kernels.ScalarKernels;
import dev.mlm4j.config.Precision;
import dev.mlm4j.config.Batch;
import dev.mlm4j.model.BertModel;
import dev.mlm4j.model.EncoderOutput;
import dev.mlm4j.model.ForwardOptions;
import dev.mlm4j.model.Task;
import dev.mlm4j.model.TestModels;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.model.Checkpoint;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What a forward pass records through {@link ForwardCapture}, on all-MiniLM-L6-v2 (6 layers, 12 heads) with a packed
 * batch of two sequences of different lengths: one record per layer and sequence of the right shape, scores that the
 * softmax turns into the recorded probabilities, hidden states that end in the returned state, and nothing recorded
 * (and the tiled path kept) when nothing is asked for.
 */
class ForwardCaptureTest {
    static BertModel model;
    static final Batch BATCH = Batch.of(new int[][] {{101, 7592, 2088, 2003, 1037, 3231, 102}, {101, 2023, 102}}, null);

    @BeforeAll
    static void load() {
        try (Checkpoint c = TestModels.checkpoint("all-MiniLM-L6-v2")) {
            model = (BertModel) c.load(Task.ENCODER, Precision.FP32).orElseThrow();
        }
    }

    @Test
    void askingForNothingRecordsNothing() {
        assertSame(ForwardCapture.NONE, ForwardOptions.DEFAULT.capture());
        EncoderOutput out = model.forward(BATCH, ForwardOptions.DEFAULT);
        assertTrue(out.hiddenStates().isEmpty());
        assertTrue(out.attentions().isEmpty());
        assertTrue(out.scores().isEmpty());
        assertTrue(ForwardCapture.NONE.hiddenStates().isEmpty() && ForwardCapture.NONE.attentions().isEmpty());
    }

    @Test
    void hiddenStatesAloneKeepTheTiledPath() {
        EncoderOutput plain = model.forward(BATCH, ForwardOptions.DEFAULT);
        EncoderOutput hidden = model.forward(BATCH, ForwardOptions.DEFAULT.withHiddenStates());
        assertArrayEquals(plain.lastHiddenState().toArray(), hidden.lastHiddenState().toArray(), "same path, same bits");
        assertEquals(model.config().numHiddenLayers() + 1, hidden.hiddenStates().size());
        assertArrayEquals(hidden.lastHiddenState().toArray(), hidden.hiddenStates().getLast().toArray());
        assertTrue(hidden.attentions().isEmpty());
    }

    @Test
    void everyLayerRecordsScoresThatSoftmaxIntoItsProbabilities() {
        for (ForwardOptions options : new ForwardOptions[] {ForwardOptions.DEFAULT, ForwardOptions.causal(true)}) {
            boolean causal = options.direction() == dev.mlm4j.attention.AttentionMask.Direction.CAUSAL;
            EncoderOutput out = model.forward(BATCH, options.withAttentions().withScores().withHiddenStates());
            int layers = model.config().numHiddenLayers(), heads = model.config().numAttentionHeads();
            assertEquals(layers, out.attentions().size());
            assertEquals(layers, out.scores().size());
            assertEquals(layers + 1, out.hiddenStates().size());
            for (int l = 0; l < layers; l++) {
                for (int s = 0; s < BATCH.size(); s++) {
                    int len = BATCH.length(s);
                    FloatTensor p = out.attentions().get(l)[s], raw = out.scores().get(l)[s];
                    assertArrayEquals(new int[] {heads, len, len}, p.shape());
                    assertArrayEquals(new int[] {heads, len, len}, raw.shape());
                    for (int h = 0; h < heads; h++) {
                        FloatTensor a = raw.row(h).copy();
                        for (int i = 0; i < len; i++) for (int j = i + 1; causal && j < len; j++) a.data()[a.rowOffset(i) + j] = Float.NEGATIVE_INFINITY;
                        new ScalarKernels().softmaxRows(a);
                        for (int i = 0; i < len; i++) {
                            for (int j = 0; j < len; j++) {
                                float got = p.row(h).at(i, j);
                                assertEquals(a.at(i, j), got, 1e-6, "layer " + l + " sequence " + s + " head " + h + " (" + i + ", " + j + ")");
                                if (causal && j > i) assertEquals(0f, got, "above the diagonal");
                            }
                        }
                    }
                }
            }
            assertArrayEquals(out.lastHiddenState().toArray(), out.hiddenStates().getLast().toArray());
        }
    }
}
