package dev.mlm4j.explorer;

import dev.mlm4j.config.Batch;
import dev.mlm4j.model.BertForMaskedLM;
import dev.mlm4j.model.EncoderOutput;
import dev.mlm4j.model.ForwardOptions;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tokens.Tokenizer;
import dev.mlm4j.weights.TensorSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The explorer on the real bert-base-uncased: stochastic rows, causal triangles, and layer 0 recomputed by hand. */
class BertAttentionExplorerTest {
    static final String SENTENCE = "The quick brown fox jumps over the lazy dog because it was bored.";

    static BertForMaskedLM model;
    static Tokenizer tokenizer;
    static AttentionView bi, causal;

    @BeforeAll
    static void run() {
        model = ExplorerModels.bertBaseUncased();
        tokenizer = ExplorerModels.uncasedTokenizer();
        bi = AttentionExplorer.run(model, tokenizer, SENTENCE, ExplorerOptions.DEFAULT.withScores());
        causal = AttentionExplorer.run(model, tokenizer, SENTENCE, ExplorerOptions.DEFAULT.withCausal(true).withScores());
    }

    @Test
    void theViewHasEveryLayerAndHeadForTheTokens() {
        assertEquals(12, bi.layers());
        assertEquals(12, bi.heads());
        assertEquals(List.of("[CLS]", "the", "quick", "brown", "fox", "jumps", "over", "the", "lazy", "dog", "because", "it", "was",
                "bored", ".", "[SEP]"), bi.tokens().stream().map(Token::text).toList());
        Token fox = bi.tokens().get(4);
        assertEquals("fox", SENTENCE.substring(fox.start(), fox.end()).toLowerCase());
        assertTrue(bi.tokens().getFirst().special() && bi.tokens().getLast().special());
        assertTrue(bi.predictions().isEmpty(), "no [MASK], no guesses");
    }

    @Test
    void everyRowSumsToOneAndCausalRowsAreZeroAboveTheDiagonal() {
        int n = bi.length();
        for (AttentionView v : List.of(bi, causal)) {
            for (int l = 0; l < v.layers(); l++) {
                for (int h = 0; h < v.heads(); h++) {
                    double[][] a = v.attention(l, h);
                    for (int i = 0; i < n; i++) {
                        double s = 0;
                        for (int j = 0; j < n; j++) {
                            assertTrue(a[i][j] >= 0);
                            s += a[i][j];
                            if (v.causal() && j > i) assertEquals(0.0, a[i][j], 0.0, "causal layer " + l + " head " + h + " row " + i + " col " + j);
                        }
                        assertEquals(1.0, s, 1e-5, v.directionName() + " layer " + l + " head " + h + " row " + i);
                    }
                }
            }
        }
        for (double[] row : causal.attention(5, AttentionView.MEAN)) assertEquals(1.0, java.util.Arrays.stream(row).sum(), 1e-5);
        assertEquals(1.0, causal.attention(7, 3)[0][0], 1e-6, "under the causal mask [CLS] sees only itself");
    }

    /**
     * Layer 0, head 0 from the raw tensors with plain double loops: embeddings (word + position + type),
     * their LayerNorm, Q and K of head 0, QKᵀ/√d_k, the mask, a row softmax.
     */
    @Test
    void layerZeroHeadZeroEqualsAnIndependentRecomputation() {
        TensorSource t = ExplorerModels.tensors();
        int[] ids = bi.ids();
        int n = ids.length, hidden = 768, dk = 64;
        float[] word = t.load("bert.embeddings.word_embeddings.weight").toArray();
        float[] pos = t.load("bert.embeddings.position_embeddings.weight").toArray();
        float[] type = t.load("bert.embeddings.token_type_embeddings.weight").toArray();
        float[] gamma = t.load("bert.embeddings.LayerNorm.weight").toArray();
        float[] beta = t.load("bert.embeddings.LayerNorm.bias").toArray();
        float[] wq = t.load("bert.encoder.layer.0.attention.self.query.weight").toArray(); // [out, in]
        float[] bq = t.load("bert.encoder.layer.0.attention.self.query.bias").toArray();
        float[] wk = t.load("bert.encoder.layer.0.attention.self.key.weight").toArray();
        float[] bk = t.load("bert.encoder.layer.0.attention.self.key.bias").toArray();

        double[][] x = new double[n][hidden];
        for (int i = 0; i < n; i++) {
            double mean = 0, var = 0;
            for (int c = 0; c < hidden; c++) {
                x[i][c] = (double) word[ids[i] * hidden + c] + pos[i * hidden + c] + type[c];
                mean += x[i][c];
            }
            mean /= hidden;
            for (int c = 0; c < hidden; c++) var += (x[i][c] - mean) * (x[i][c] - mean);
            var /= hidden;
            for (int c = 0; c < hidden; c++) x[i][c] = (x[i][c] - mean) / Math.sqrt(var + 1e-12) * gamma[c] + beta[c];
        }
        double[][] q = new double[n][dk], k = new double[n][dk];
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < dk; o++) {
                double sq = bq[o], sk = bk[o];
                for (int c = 0; c < hidden; c++) {
                    sq += x[i][c] * wq[o * hidden + c];
                    sk += x[i][c] * wk[o * hidden + c];
                }
                q[i][o] = sq;
                k[i][o] = sk;
            }
        }
        double[][] scores = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int o = 0; o < dk; o++) s += q[i][o] * k[j][o];
                scores[i][j] = s / Math.sqrt(dk);
            }
        }
        for (boolean isCausal : new boolean[] {false, true}) {
            AttentionView v = isCausal ? causal : bi;
            double[][] got = v.attention(0, 0);
            for (int i = 0; i < n; i++) {
                double max = Double.NEGATIVE_INFINITY, z = 0;
                for (int j = 0; j <= (isCausal ? i : n - 1); j++) max = Math.max(max, scores[i][j]);
                double[] p = new double[n];
                for (int j = 0; j <= (isCausal ? i : n - 1); j++) z += (p[j] = Math.exp(scores[i][j] - max));
                for (int j = 0; j < n; j++) {
                    assertEquals(p[j] / z, got[i][j], 1e-5, v.directionName() + " layer 0 head 0: first mismatch at row " + i + " col " + j);
                }
            }
            double[][] raw = v.scores(0, 0);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    assertEquals(scores[i][j], raw[i][j], 2e-4 * Math.max(1, Math.abs(scores[i][j])),
                            v.directionName() + " layer 0 head 0 scores before the mask: row " + i + " col " + j);
                }
            }
        }
    }

    @Test
    void scoresAreThePreMaskLogitsOfTheProbabilities() {
        int n = bi.length();
        for (AttentionView v : List.of(bi, causal)) {
            for (int l : new int[] {0, 6, 11}) {
                for (int h : new int[] {0, 7}) {
                    double[][] s = v.scores(l, h), a = v.attention(l, h);
                    for (int i = 0; i < n; i++) {
                        int last = v.causal() ? i : n - 1;
                        double max = Double.NEGATIVE_INFINITY, z = 0;
                        for (int j = 0; j <= last; j++) max = Math.max(max, s[i][j]);
                        for (int j = 0; j <= last; j++) z += Math.exp(s[i][j] - max);
                        for (int j = 0; j <= last; j++) assertEquals(Math.exp(s[i][j] - max) / z, a[i][j], 1e-5);
                    }
                }
            }
        }
        // Layer 0 sees the same embeddings in both runs, and the scores are taken before the mask: the same
        // (to rounding: the Vector API's reductions sum in another order before and after the JIT compiles them).
        assertArrayEquals(bi.scores(0, 3)[5], causal.scores(0, 3)[5], 1e-5);
        assertFalse(java.util.Arrays.equals(bi.scores(4, 3)[5], causal.scores(4, 3)[5]), "later layers see different vectors");
    }

    @Test
    void nothingExtraIsKeptUnlessAsked() {
        EncoderOutput plain = model.bert().forward(Batch.of(tokenizer.encode(SENTENCE, 512, false)), ForwardOptions.DEFAULT);
        assertTrue(plain.attentions().isEmpty() && plain.scores().isEmpty() && plain.hiddenStates().isEmpty());
        EncoderOutput withScores = model.bert().forward(Batch.of(tokenizer.encode(SENTENCE, 512, false)), ForwardOptions.DEFAULT.withScores());
        assertTrue(withScores.attentions().isEmpty());
        assertEquals(12, withScores.scores().size());
        // Same result, to rounding: keeping scores takes the exact attention path (scores → softmax → A V), the plain
        // run the tiled one (online softmax), which sum in another order; after 12 layers hidden values of ~5 differ by ~1e-5.
        assertArrayEquals(plain.lastHiddenState().toArray(), withScores.lastHiddenState().toArray(), 5e-5f, "keeping scores changes no result");
        assertFalse(bi.hasScores() && AttentionExplorer.run(model, tokenizer, "hi", ExplorerOptions.DEFAULT).hasScores());
        var e = assertThrows(IllegalStateException.class, () -> AttentionExplorer.run(model, tokenizer, "hi", ExplorerOptions.DEFAULT).scores(0, 0));
        assertTrue(e.getMessage().contains("not requested"));
    }

    @Test
    void hiddenStatesOnRequestMatchTheEncodersOwn() {
        AttentionView v = AttentionExplorer.run(model, tokenizer, SENTENCE, ExplorerOptions.DEFAULT.withHiddenStates());
        assertEquals(13, v.hiddenStates().size());
        FloatTensor last = model.bert().forward(Batch.of(tokenizer.encode(SENTENCE, 512, false)), ForwardOptions.DEFAULT).lastHiddenState();
        // the explorer takes the exact attention path, the plain forward the tiled one: equal to rounding (see above)
        assertArrayEquals(last.toArray(), v.hiddenStates().getLast().toArray(), 5e-5f);
    }

    @Test
    void aPairHasBothSegmentsAndOneSequenceOfAttention() {
        AttentionView p = AttentionExplorer.run(model, tokenizer, "the cat sat.", "it was tired.", ExplorerOptions.DEFAULT);
        assertEquals(List.of("[CLS]", "the", "cat", "sat", ".", "[SEP]", "it", "was", "tired", ".", "[SEP]"),
                p.tokens().stream().map(Token::text).toList());
        assertEquals(1, p.tokens().get(7).segment());
        assertEquals(11, p.attentions(3).dim(1));
        assertEquals("it was tired.", p.pair());
    }

    /**
     * Offsets count code points in the token's own segment, so Python's {@code text[start:end]} (what reads the JSON and
     * GraphML exports and the server's route) cuts the token's characters even after characters outside the BMP: here
     * each emoji is two UTF-16 units and one code point, and the UTF-16 offsets the tokenizer works in would cut "dog" as
     * "🐕 do"'s tail.
     */
    @Test
    void offsetsAreCodePointsIntoTheTokensOwnSegment() {
        String text = "🐕🐕 the dog barked.", pair = "a 🐈 cat 🐈 slept.";
        AttentionView p = AttentionExplorer.run(model, tokenizer, text, pair, ExplorerOptions.DEFAULT);
        List<String> cut = new java.util.ArrayList<>();
        for (Token t : p.tokens()) {
            if (t.special()) {
                assertEquals(-1, t.start());
                continue;
            }
            int[] cps = (t.segment() == 1 ? pair : text).codePoints().toArray();
            cut.add(new String(cps, t.start(), t.end() - t.start()));
        }
        // "[UNK]" stands for each emoji (not in BERT's vocabulary), whose code point its offsets cover
        assertEquals(List.of("[UNK]", "the", "dog", "barked", ".", "a", "[UNK]", "cat", "[UNK]", "slept", "."),
                p.tokens().stream().filter(t -> !t.special()).map(Token::text).toList());
        assertEquals(List.of("🐕🐕", "the", "dog", "barked", ".", "a", "🐈", "cat", "🐈", "slept", "."), cut);
        Token dog = p.tokens().get(3);
        assertEquals(List.of(7, 10), List.of(dog.start(), dog.end()), "in code points; UTF-16 would say 9..12");
        // the exports carry the same numbers
        com.fasterxml.jackson.databind.JsonNode nodes;
        try {
            nodes = GraphFormats.JSON.readTree(p.graph(0, 0).toJson()).get("nodes");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError(e);
        }
        assertEquals(7, nodes.get(3).get("start").asInt());
        assertEquals(10, nodes.get(3).get("end").asInt());
        assertTrue(p.graph(0, 0).toGraphML().contains("<data key=\"start\">7</data>"));
    }

    @Test
    void causalMaskChangesWhatTheMlmGuesses() {
        DirectionComparison c = AttentionExplorer.compare(model, tokenizer, "The capital of France is [MASK].", null, ExplorerOptions.DEFAULT);
        var change = c.predictionChanges().getFirst();
        assertEquals(6, change.position());
        assertEquals("paris", change.bidirectional().best().token(), "the MLM as trained");
        assertTrue(change.bidirectional().best().probability() > 0.3, "confident: " + change.bidirectional().best());
        assertEquals(5, change.causal().candidates().size());
        double[] de = c.entropyChange(0, 0);
        assertEquals(-c.bidirectional().rowEntropy(0, 0)[0], de[0], 1e-12, "causal [CLS] attends to itself only: entropy 0");
        for (int i = 0; i < de.length; i++) assertTrue(c.causal().rowEntropy(0, 0)[i] <= Math.log(i + 1) + 1e-9, "row " + i + " spreads over i + 1 tokens at most");
        double[][] byLayer = c.meanEntropyByLayer();
        assertEquals(12, byLayer.length);
        List<String> summary = c.summary(0, AttentionView.MEAN);
        assertTrue(summary.getFirst().startsWith("[MASK] at token 6: bidirectional 'paris'"), summary.getFirst());
    }

    @Test
    void badRequestsGetOneLineMessages() {
        var layer = assertThrows(IllegalArgumentException.class, () -> bi.attention(12, 0));
        assertEquals("layer 12 is out of range: the model has 12 layers (0–11)", layer.getMessage());
        var head = assertThrows(IllegalArgumentException.class, () -> bi.graph(0, 12));
        assertEquals("head 12 is out of range: the model has 12 heads per layer (0–11)", head.getMessage());
        String longText = "word ".repeat(600);
        var tooLong = assertThrows(IllegalArgumentException.class, () -> AttentionExplorer.run(model, tokenizer, longText, ExplorerOptions.DEFAULT));
        assertEquals("the text is 602 tokens long, over the model's maximum of 512 tokens", tooLong.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AttentionExplorer.run(model, tokenizer, "  ", ExplorerOptions.DEFAULT));
    }

    @Test
    void graphsRolloutAndFlowOnTheRealModel() {
        AttentionGraph g = bi.graph(2, 0).withoutSpecialTokens(true).pruned(Pruning.topK(2));
        assertEquals(14, g.size());
        assertEquals(28, g.edges().size());
        AttentionGraph roll = bi.rollout();
        for (double s : roll.outStrength()) assertEquals(1, s, 1e-6);
        AttentionGraph flow = bi.flow(0);
        double[] intoCls = flow.weights()[0];
        for (int j = 0; j < intoCls.length; j++) {
            assertTrue(intoCls[j] > 0 && intoCls[j] <= 1 + 1e-5, "flow from token " + j + " into [CLS] is " + intoCls[j]);
        }
        assertEquals(bi.length(), flow.edges().size(), "one edge per input token, all into [CLS]");
        AttentionGraph causalFlow = causal.flow(bi.length() - 1);
        assertTrue(causalFlow.weights()[bi.length() - 1][0] > 0);
    }
}
