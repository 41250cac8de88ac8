package dev.mlm4j.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.util.ProgressListener;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The {@code next-token} condition against transformers: eval/tiny-bert-lm-head is a tiny random {@code BertLMHeadModel}
 * ({@code is_decoder: true}) written by scripts/reference/eval_causal_lm.py, whose expected.json holds transformers'
 * float64 log-probability and rank of every token t ≥ 1 from the logits at row t − 1 of the whole sentence.
 */
class NextTokenTest {
    static final Path FIXTURE = EvalTestData.resource("eval/tiny-bert-lm-head");
    static JsonNode expected;

    @TempDir
    static Path tmp;

    static EvalModel model;

    @BeforeAll
    static void load() throws IOException {
        expected = new ObjectMapper().readTree(FIXTURE.resolve("expected.json").toFile());
        // The same weights (bert.*, cls.predictions.*) under a config without is_decoder, which loads whether or not the
        // loader knows BertLMHeadModel; next-token asks for the causal mask itself, so the numbers are the decoder's.
        Path copy = Files.createDirectories(tmp.resolve("weights"));
        try (var files = Files.list(FIXTURE)) {
            for (Path f : files.toList()) Files.copy(f, copy.resolve(f.getFileName()));
        }
        ObjectNode config = (ObjectNode) new ObjectMapper().readTree(copy.resolve("config.json").toFile());
        config.put("is_decoder", false);
        config.putArray("architectures").add("BertForMaskedLM");
        new ObjectMapper().writeValue(copy.resolve("config.json").toFile(), config);
        model = EvalModel.load(copy.toString(), ProgressListener.NONE);
    }

    @Test
    void everyNextTokenScoreIsTransformersLogSoftmaxAtTheRowBefore() {
        int checked = 0;
        for (JsonNode s : expected.get("sentences")) {
            int[] ids = ints(s.get("ids"));
            assertArrayEquals(ids, model.withSpecials(model.pieces(s.get("text").asText())), "same token ids as transformers");
            List<MaskedTokenScorer.Query> qs = new ArrayList<>();
            for (JsonNode r : s.get("next_token")) {
                MaskedTokenScorer.Query q = MlmEvaluation.query(MlmEvaluation.Condition.NEXT_TOKEN, ids, r.get("t").asInt(), 4, 3);
                assertEquals(r.get("target").asInt(), q.target());
                qs.add(q);
            }
            MaskedTokenScorer.Score[] got = model.score(qs, MlmEvaluation.Condition.NEXT_TOKEN.direction());
            for (int i = 0; i < got.length; i++) {
                JsonNode r = s.get("next_token").get(i);
                assertEquals(r.get("log_prob").asDouble(), got[i].logProb(), 1e-4, s.get("text").asText() + " t=" + r.get("t"));
                assertEquals(r.get("rank").asInt(), got[i].rank(), s.get("text").asText() + " t=" + r.get("t"));
                checked++;
            }
        }
        assertEquals(29, checked, "8 + 12 + 9 tokens after [CLS] in the three sentences");
    }

    @Test
    void theTablesPseudoPerplexityIsTheMeanOfTransformersLogProbabilities() {
        List<MlmEvaluation.Item> items = new ArrayList<>();
        double sum = 0;
        long top1 = 0, n = 0;
        for (JsonNode s : expected.get("sentences")) {
            int[] ids = ints(s.get("ids"));
            int[] targets = {1, 3, ids.length - 2};                     // first piece, one inside, the last piece before [SEP]
            for (int t : targets) {
                JsonNode r = s.get("next_token").get(t - 1);
                sum += r.get("log_prob").asDouble();
                if (r.get("rank").asInt() == 1) top1++;
                n++;
            }
            items.add(new MlmEvaluation.Item("fixture", items.size(), ids, targets));
        }
        MlmEvaluation.Options o = new MlmEvaluation.Options(3, 0.15, 1, List.of(MlmEvaluation.Condition.NEXT_TOKEN), 16, 1, 60);
        MlmReport r = MlmEvaluation.run(items, model, 4, 3, o, Meter.NONE);
        MlmReport.Metrics m = r.results().getFirst().overall();
        assertEquals(n, m.n());
        assertEquals(top1, m.top1());
        assertEquals(Math.exp(-sum / n), m.pseudoPerplexity(), 1e-4 * m.pseudoPerplexity());
        long firstFifth = items.stream().flatMapToInt(it -> java.util.Arrays.stream(it.masked()).map(it::quintile)).filter(q -> q == 0).count();
        assertEquals(4, firstFifth, "three first pieces and piece 2 of the 12-piece sentence");
        assertEquals(firstFifth, r.results().getFirst().byQuintile().getFirst().n());
        assertTrue(r.markdown().contains("*next-token*: a causal LM used as it was trained"), r.markdown());
        assertEquals("the logits at the token before the target (next-token prediction)",
                ((java.util.Map<?, ?>) ((List<?>) r.toJson().get("results")).getFirst()).get("scored_from"));
    }

    @Test
    void theQueryIsTheLeftContextAloneReadAtItsLastToken() {
        int[] ids = {2, 8, 10, 12, 3};
        MaskedTokenScorer.Query q = MlmEvaluation.query(MlmEvaluation.Condition.NEXT_TOKEN, ids, 3, 4, 3);
        assertArrayEquals(new int[] {2, 8, 10}, q.ids(), "[CLS] and the pieces left of the target, no [MASK], no [SEP]");
        assertEquals(2, q.row());
        assertEquals(12, q.target());
        assertEquals(AttentionMask.Direction.CAUSAL, MlmEvaluation.Condition.NEXT_TOKEN.direction());
    }

    @Test
    void aCausalLmIsRecognisedByItsConfigAndEachKindRefusesTheOthersConditions() {
        assertTrue(EvalModel.isCausalLm(FIXTURE), "config.json says is_decoder: true");
        assertFalse(EvalModel.isCausalLm(tmp.resolve("weights")));
        assertFalse(EvalModel.isCausalLm(tmp.resolve("no-such-folder")));
        assertEquals(List.of(MlmEvaluation.Condition.NEXT_TOKEN), MlmEvaluation.defaultConditions(true));
        assertEquals(List.of(MlmEvaluation.Condition.BIDIRECTIONAL, MlmEvaluation.Condition.CAUSAL), MlmEvaluation.defaultConditions(false));
        MlmEvaluation.check(List.of(MlmEvaluation.Condition.NEXT_TOKEN), true, "b");
        MlmEvaluation.check(List.of(MlmEvaluation.Condition.BIDIRECTIONAL, MlmEvaluation.Condition.LEFT_ONLY), false, "a");
        for (MlmEvaluation.Condition c : MlmEvaluation.Condition.values()) {
            if (c == MlmEvaluation.Condition.NEXT_TOKEN) continue;
            var e = assertThrows(IllegalArgumentException.class, () -> MlmEvaluation.check(List.of(c), true, "runs/b-seed1"));
            assertEquals("condition " + c.label() + " needs a masked LM; runs/b-seed1 is a causal LM (config.json \"is_decoder\": true)"
                    + " that never learnt to fill a [MASK]: use next-token", e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> MlmEvaluation.check(List.of(MlmEvaluation.Condition.NEXT_TOKEN), false, "a"));
        assertFalse(e.getMessage().contains("\n"));
        assertTrue(e.getMessage().endsWith("its from-the-left numbers are left-only and left-open"), e.getMessage());
    }

    @Test
    void causalLmGenerationContinuesGreedilyAsTransformersDoes() {
        EvalModel decoder = decoder();
        JsonNode g = expected.get("greedy");
        Generation.Options o = new Generation.Options(g.get("tokens").asInt(), 1, 0, 1);
        Generation.GenerationReport r = Generation.run(decoder, List.of(g.get("prompt").asText()), Generation.defaultStrategies(true), o, model, Meter.NONE);
        Generation.Output out = r.outputs().getFirst();
        int[] want = ints(g.get("ids"));
        assertEquals(decoder.tokenizer().decode(want, true), out.text(), "the prompt and transformers' greedy pieces");
        assertEquals(decoder.tokenizer().decode(java.util.Arrays.copyOfRange(want, 3, want.length), true), out.continuation());
        assertEquals(6, out.forwardPasses());
        assertEquals(3 + 4 + 5 + 6 + 7 + 8, out.tokensEncoded(), "[CLS] prompt and the pieces so far, one pass per piece");
        // the self-score is the causal LM's own next-token perplexity of the six pieces, which is next-token's condition
        List<MaskedTokenScorer.Query> qs = new ArrayList<>();
        for (int t = 3; t < want.length; t++) qs.add(MlmEvaluation.query(MlmEvaluation.Condition.NEXT_TOKEN, want, t, 4, 3));
        double sum = 0;
        for (MaskedTokenScorer.Score s : model.score(qs, AttentionMask.Direction.CAUSAL)) sum += s.logProb();
        assertEquals(Math.exp(-sum / 6), out.pseudoPerplexity(), 1e-6 * out.pseudoPerplexity());
        assertEquals(Generation.judge(model, out.prompt(), out.continuation()), out.judge(), 1e-12, "judged (here by the same weights as a masked LM)");
        assertTrue(out.judge() > 1);
        assertTrue(r.markdown().contains("| causal-lm | 1.00 | 5.5 |"), r.markdown());
        assertTrue(r.markdown().contains("perplexity (same model, next token)"), r.markdown());
        assertTrue(r.toJson().toString().contains("judge_pseudo_perplexity_geomean"), r.toJson().toString());
        for (Generation.Strategy s : Generation.defaultStrategies(false)) {
            var e = assertThrows(IllegalArgumentException.class, () -> Generation.run(decoder, List.of("the cat"), List.of(s), o, Meter.NONE));
            assertEquals("strategy " + s.label() + " fills [MASK]s, which tiny-bert-lm-head (a causal LM, config.json \"is_decoder\": true)"
                    + " never learnt: use causal-lm", e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> Generation.run(model, List.of("the cat"), List.of(Generation.Strategy.LEFT_TO_RIGHT), o, decoder, Meter.NONE));
        assertTrue(e.getMessage().startsWith("the judge tiny-bert-lm-head is a causal LM"), e.getMessage());
    }

    @Test
    void aCausalLmsProbesUseItsOwnCausalFeaturesAndSaySo() {
        Probes.Options o = new Probes.Options(20, 10, 2, 32, SoftmaxRegression.Options.DEFAULT.withEpochs(2), 1024, 1);
        Corpus slice = CorpusReader.open(EvalTestData.brownSlice());
        for (ProbeReport.Task t : List.of(Probes.pos(slice, decoder(), o, Meter.NONE), Probes.genre(slice, decoder(), o, Meter.NONE))) {
            List<String> rows = t.rows().stream().map(ProbeReport.Row::features).toList();
            assertEquals(List.of("embedding layer (no attention)", "causal mask, last layer — the model's own", "control: causal, training labels shuffled"),
                    rows.subList(rows.size() - 3, rows.size()), t.name());
            assertTrue(t.description().contains("tiny-bert-lm-head is a causal LM (config.json \"is_decoder\": true): its own features are the causal ones"),
                    t.description());
            assertEquals(List.of("causal features", "training the heads"), List.copyOf(t.seconds().keySet()).subList(t.seconds().size() - 2, t.seconds().size()),
                    "no bidirectional pass for a causal LM");
        }
    }

    @Test
    void theFixtureAsWrittenLoadsAsACausalLmWhoseForwardIsCausalWhateverIsAsked() {
        EvalModel m;
        try {
            m = EvalModel.load(FIXTURE.toString(), ProgressListener.NONE);
        } catch (IllegalArgumentException e) {
            // a loader without BertLMHeadModel (before branch seed-model) refuses the architecture or is_decoder: true in one line
            org.junit.jupiter.api.Assumptions.assumeTrue(!e.getMessage().contains("\"BertLMHeadModel\" is not supported")
                    && !e.getMessage().contains("is_decoder"), "this loader refuses decoders: " + e.getMessage());
            throw e;
        }
        assertTrue(m.causalLm());
        JsonNode s = expected.get("sentences").get(1);
        int[] ids = ints(s.get("ids"));
        List<MaskedTokenScorer.Query> qs = new ArrayList<>();
        for (int t = 1; t < ids.length; t++) qs.add(MlmEvaluation.query(MlmEvaluation.Condition.NEXT_TOKEN, ids, t, 4, 3));
        for (AttentionMask.Direction d : AttentionMask.Direction.values()) {
            MaskedTokenScorer.Score[] got = m.score(qs, d);
            for (int i = 0; i < got.length; i++) {
                assertEquals(s.get("next_token").get(i).get("log_prob").asDouble(), got[i].logProb(), 1e-4, d + " t=" + (i + 1));
            }
        }
    }

    /** The fixture's weights as the causal LM they are (the flag EvalModel.load reads from config.json, set by hand). */
    static EvalModel decoder() {
        var l = dev.mlm4j.pipelines.Models.load(tmp.resolve("weights").toString(), ProgressListener.NONE, dev.mlm4j.config.Precision.FP32);
        return new EvalModel("tiny-bert-lm-head", l.maskedLm(), l.tokenizer(), l.maxLength(), true);
    }

    static int[] ints(JsonNode a) {
        int[] v = new int[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = a.get(i).asInt();
        return v;
    }
}
