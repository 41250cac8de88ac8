package dev.mlm4j.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlm4j.config.Precision;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rerank fixtures (src/test/resources/tasks/{tiny/rerank, pretrained/rerank-all-MiniLM-L6-v2}; made by
 * scripts/reference/tasks/make_fixtures.py with sentence-transformers 6.0.1's {@code CrossEncoder}): for every case the
 * raw logits ({@code CrossEncoder.predict}, checked there against plain transformers), {@code CrossEncoder.rank(query,
 * docs, return_documents=True)} and TEI's {@code /rerank} reply with and without {@code raw_scores}: indices and order
 * exactly, scores within 1e-4. The MiniLM case with a 1740-character passage is over its model_max_length of 256
 * tokens, so it also pins the truncation.
 */
class RerankTest {

    static final double TOLERANCE = 1e-4;

    @TestFactory
    Stream<DynamicTest> tinyRerankFixture() {
        Path folder = TaskFixtures.tiny("rerank");
        Rerank r = Models.rerank(folder.toString(), null, Precision.FP32);
        assertEquals(512, r.maxLength());
        return TaskFixtures.eachCase(TaskFixtures.expected(folder), 10, c -> check(r, c));
    }

    /** all-MiniLM-L6-v2 with a trained pooler and classifier (the fixture README's recipe); loaded outside Models' cache. */
    @Test
    void miniLmCrossEncoderMatchesSentenceTransformers() throws Exception {
        String name = "rerank-all-MiniLM-L6-v2";
        Path dir = TaskFixtures.pretrained(name);
        JsonNode expected = TaskFixtures.expected(TaskFixtures.pretrainedFixture(name));
        assertEquals("rerank", expected.get("task").asText());
        Rerank r = Rerank.of(TextClassification.load(dir, name, Precision.FP32), dir, name);
        assertEquals(256, r.maxLength(), "tokenizer_config.json's model_max_length, not tokenizer.json's truncation (128)");
        TaskFixtures.assertEveryCase(name, expected, 10, c -> check(r, c));
    }

    static void check(Rerank r, JsonNode c) {
        String id = c.get("id").asText();
        String query = c.get("query").asText();
        List<String> docs = new ArrayList<>();
        c.get("documents").forEach(d -> docs.add(d.asText()));
        float[] logits = r.logits(query, docs, true);
        for (int i = 0; i < logits.length; i++) assertEquals(c.get("logits").get(i).asDouble(), logits[i], TOLERANCE, id + " logit " + i);

        List<Rerank.Result> rank = r.rank(query, docs, null, true);
        compare(id + " cross_encoder_rank", c.get("cross_encoder_rank"), rank.stream().map(Rerank.Result::toCrossEncoderMap).toList(), "corpus_id");
        compare(id + " tei_rerank", c.get("tei_rerank"), r.rerank(query, docs, Rerank.Options.DEFAULT).stream().map(Rerank.Result::toMap).toList(), "index");
        compare(id + " tei_rerank_raw_scores", c.get("tei_rerank_raw_scores"),
                r.rerank(query, docs, Rerank.Options.DEFAULT.withRawScores(true)).stream().map(Rerank.Result::toMap).toList(), "index");
    }

    /** Same keys, same index at each place (near ties: same set), scores within the tolerance. */
    static void compare(String where, JsonNode want, List<Map<String, Object>> got, String indexKey) {
        assertEquals(want.size(), got.size(), where);
        for (int i = 0; i < want.size(); i++) {
            JsonNode w = want.get(i);
            Map<String, Object> g = got.get(i);
            List<String> keys = new ArrayList<>();
            w.fieldNames().forEachRemaining(keys::add);
            assertEquals(keys.stream().sorted().toList(), g.keySet().stream().sorted().toList(), where);
            assertEquals(w.get(indexKey).asInt(), g.get(indexKey), where + " place " + i + ": " + want + " vs " + got);
            assertEquals(w.get("score").asDouble(), (Double) g.get("score"), TOLERANCE, where + " place " + i);
            if (w.has("text")) assertEquals(w.get("text").asText(), g.get("text"), where);
        }
    }

    @Test
    void teiShapeAndOptions() {
        Rerank r = Models.rerank(TaskFixtures.tiny("rerank").toString(), null, Precision.FP32);
        List<String> docs = List.of("The Eiffel Tower is 330 metres tall.", "Paris is the capital of France.", "Bananas are rich in potassium.");
        List<Rerank.Result> all = r.rerank("How tall is the Eiffel Tower?", docs, Rerank.Options.DEFAULT);
        assertEquals(3, all.size());
        for (Rerank.Result x : all) assertNull(x.text());
        JsonNode json = Rerank.toJson(r.rerank("How tall is the Eiffel Tower?", docs, Rerank.Options.DEFAULT.withReturnText(true).withTopK(2)));
        assertEquals(2, json.size());
        assertEquals(List.of("index", "text", "score"), fields(json.get(0)));
        assertEquals(all.get(0).index(), json.get(0).get("index").asInt());
        assertEquals(docs.get(all.get(0).index()), json.get(0).get("text").asText());
        assertEquals(List.of("index", "score"), fields(Rerank.toJson(all).get(0)));
        List<Rerank.Result> top1 = r.rank("How tall is the Eiffel Tower?", docs, 1, false);
        assertEquals(List.of(Map.of("corpus_id", all.get(0).index(), "score", all.get(0).score())), top1.stream().map(Rerank.Result::toCrossEncoderMap).toList());
    }

    /** Identical passages score the same: TEI (ascending sort reversed) puts the later one first, CrossEncoder (stable) the earlier. */
    @Test
    void tiesAreOrderedAsTeiAndCrossEncoderOrderThem() {
        Rerank r = Models.rerank(TaskFixtures.tiny("rerank").toString(), null, Precision.FP32);
        List<String> docs = List.of("same passage", "same passage");
        assertEquals(List.of(1, 0), r.rerank("q", docs, Rerank.Options.DEFAULT).stream().map(Rerank.Result::index).toList());
        assertEquals(List.of(0, 1), r.rank("q", docs, Rerank.Options.DEFAULT).stream().map(Rerank.Result::index).toList());
    }

    @Test
    void badInputIsAClearError() throws Exception {
        Rerank r = Models.rerank(TaskFixtures.tiny("rerank").toString(), null, Precision.FP32);
        var empty = assertThrows(IllegalArgumentException.class, () -> r.rerank("q", List.of(), Rerank.Options.DEFAULT));
        assertTrue(empty.getMessage().contains("texts is empty"), empty.getMessage());
        String longText = "word ".repeat(600);
        var tooLong = assertThrows(IllegalArgumentException.class,
                () -> r.rerank("q", List.of("short", longText), Rerank.Options.DEFAULT.withTruncate(false)));
        assertTrue(tooLong.getMessage().startsWith("text 2: ") && tooLong.getMessage().contains("512"), tooLong.getMessage());
        assertEquals(2, r.rerank("q", List.of("short", longText), Rerank.Options.DEFAULT).size(), "truncated by default, as CrossEncoder");
        assertThrows(IllegalArgumentException.class, () -> Rerank.Options.DEFAULT.withTopK(-1));

        var notOneLabel = assertThrows(IllegalArgumentException.class, () -> Models.rerank(TaskFixtures.tiny("sentiment").toString(), null, Precision.FP32));
        assertTrue(notOneLabel.getMessage().contains("2 labels") && notOneLabel.getMessage().contains("cross-encoder"), notOneLabel.getMessage());
        var noHead = assertThrows(IllegalArgumentException.class, () -> Models.rerank(TaskFixtures.tiny("ner").toString(), null, Precision.FP32));
        assertTrue(noHead.getMessage().contains("not a sequence classifier"), noHead.getMessage());
    }

    /** model_max_length is read from tokenizer_config.json; a placeholder like transformers' 1e30 or none means the position table. */
    @Test
    void maxLengthComesFromTokenizerConfig(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path src = TaskFixtures.tiny("rerank");
        try (var s = Files.list(src)) {
            for (Path p : s.toList()) Files.copy(p, tmp.resolve(p.getFileName()));
        }
        Files.writeString(tmp.resolve("tokenizer_config.json"), "{\"do_lower_case\": true, \"model_max_length\": 16}");
        TextClassification tc = TextClassification.load(tmp, "tmp", Precision.FP32);
        Rerank r = Rerank.of(tc, tmp, "tmp");
        assertEquals(16, r.maxLength());
        var e = assertThrows(IllegalArgumentException.class, () -> r.logits("a query", List.of("a passage that is much longer than sixteen tokens, surely, by far"), false));
        assertTrue(e.getMessage().contains("16"), e.getMessage());
        r.logits("a query", List.of("a passage that is much longer than sixteen tokens, surely, by far"), true);
        Files.writeString(tmp.resolve("tokenizer_config.json"), "{\"do_lower_case\": true, \"model_max_length\": 1000000000000000019884624838656}");
        assertEquals(512, Rerank.of(tc, tmp, "tmp").maxLength());
    }

    static List<String> fields(JsonNode o) {
        List<String> f = new ArrayList<>();
        o.fieldNames().forEachRemaining(f::add);
        return f;
    }
}
