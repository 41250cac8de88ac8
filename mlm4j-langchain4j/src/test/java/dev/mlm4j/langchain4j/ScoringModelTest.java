package dev.mlm4j.langchain4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.scoring.ScoringModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Mlm4jScoringModel} through LangChain4j's {@link ScoringModel} interface on the tiny random cross-encoder
 * fixture of mlm4j-core (tasks/tiny/rerank: a complete checkpoint, and sentence-transformers' CrossEncoder outputs
 * for its 11 cases in expected.json, made by scripts/reference/tasks/make_fixtures.sh): every score equals
 * sigmoid(logit) of the fixture, and the raw scores its logits, within 1e-4 (mlm4j-core's RerankTest's tolerance).
 */
class ScoringModelTest {

    static final Path FIXTURE = Path.of("..", "mlm4j-core", "src", "test", "resources", "tasks", "tiny", "rerank");
    static final double TOLERANCE = 1e-4;

    static ScoringModel scores, logits;
    static JsonNode cases;

    @BeforeAll
    static void load() throws Exception {
        scores = Mlm4jScoringModel.builder().modelPath(FIXTURE).build();
        logits = Mlm4jScoringModel.builder().modelPath(FIXTURE).rawScores(true).build();   // the same loaded model
        cases = new ObjectMapper().readTree(FIXTURE.resolve("expected.json").toFile()).get("cases");
        assertTrue(cases.size() >= 10, cases.size() + " cases");
    }

    @Test
    void scoreAllGivesCrossEncoderScoresInTheSegmentsOrder() {
        for (JsonNode c : cases) {
            List<TextSegment> segments = new ArrayList<>();
            for (JsonNode d : c.get("documents")) segments.add(TextSegment.from(d.asText()));
            String query = c.get("query").asText();
            Response<List<Double>> s = scores.scoreAll(segments, query);
            List<Double> raw = logits.scoreAll(segments, query).content();
            assertEquals(segments.size(), s.content().size());
            assertTrue(s.tokenUsage().inputTokenCount() > 0, "token usage");
            for (int i = 0; i < segments.size(); i++) {
                double logit = c.get("logits").get(i).asDouble();
                assertEquals(logit, raw.get(i), TOLERANCE, c.get("id").asText() + " logit " + i);
                assertEquals(1 / (1 + Math.exp(-logit)), s.content().get(i), TOLERANCE, c.get("id").asText() + " score " + i);
            }
            // CrossEncoder.rank's scores, looked up by corpus_id: the same numbers by another path of the fixture
            for (JsonNode r : c.get("cross_encoder_rank")) {
                assertEquals(r.get("score").asDouble(), s.content().get(r.get("corpus_id").asInt()), TOLERANCE, c.get("id").asText());
            }
        }
    }

    @Test
    void oneSegmentScoresAsInTheList() {
        JsonNode c = cases.get(0);
        double one = scores.score(c.get("documents").get(1).asText(), c.get("query").asText()).content();
        assertEquals(1 / (1 + Math.exp(-c.get("logits").get(1).asDouble())), one, TOLERANCE);
    }

    @Test
    void noSegmentsIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> scores.scoreAll(List.of(), "q"));
    }

    /** Bad arguments are named for what they are: the query (not "text 1"), the builder's precision (not a system property). */
    @Test
    void aNullQueryAndABadPrecisionAreNamed() {
        assertEquals("query cannot be null", assertThrows(IllegalArgumentException.class,
                () -> scores.scoreAll(List.of(TextSegment.from("a"), TextSegment.from("b")), null)).getMessage());
        assertEquals("precision must be fp32 or int8, got 'fp16'", assertThrows(IllegalArgumentException.class,
                () -> Mlm4jScoringModel.builder().precision("fp16")).getMessage());
    }
}
