package dev.mlm4j.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlm4j.config.Precision;
import dev.mlm4j.model.Checkpoint;
import dev.mlm4j.pipelines.QuestionAnswering.Answer;
import dev.mlm4j.pipelines.QuestionAnswering.Options;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.safetensors.SafetensorsWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The question-answering pipeline against Hugging Face's: every case of {@code tasks/tiny/qa/expected.json} (the span
 * rules of transformers 4.57.6's {@code question-answering} pipeline on the start/end logits of the tiny random
 * BertForQuestionAnswering, made by scripts/reference/tasks/make_fixtures.py and cross-checked against the real 4.57.6
 * pipeline by qa_crosscheck_v4.py): answers and spans exactly, scores within 1e-4, the number of windows exactly.
 */
class QuestionAnsweringTest {
    static Path tiny;
    static QuestionAnswering qa;
    static JsonNode expected;

    @BeforeAll
    static void load() {
        tiny = TaskFixtures.tiny("qa");
        qa = Models.questionAnswering(tiny.toString(), null, Precision.FP32);
        expected = TaskFixtures.expected(tiny);
    }

    /** One expected.json case: HF's shape (an object for one answer, else a list), answers and offsets exactly, scores within 1e-4. */
    static void check(QuestionAnswering qa, JsonNode c) {
        String context = c.get("input").get("context").asText();
        List<Answer> got = qa.answer(c.get("input").get("question").asText(), context, Options.fromJson(c.get("kwargs")));
        JsonNode want = c.get("output");
        JsonNode json = QuestionAnswering.toJson(context, got);
        String where = c.get("id").asText() + " " + c.get("kwargs") + ": " + json;
        assertEquals(want.isArray(), json.isArray(), where);
        List<JsonNode> w = new ArrayList<>(), g = new ArrayList<>();
        (want.isArray() ? want : TaskFixtures.JSON.createArrayNode().add(want)).forEach(w::add);
        (json.isArray() ? json : TaskFixtures.JSON.createArrayNode().add(json)).forEach(g::add);
        assertEquals(w.size(), g.size(), where);
        if (c.path("near_tie").asBoolean()) { // neighbours < 1e-4 apart may swap: compare as sets
            Comparator<JsonNode> bySpan = Comparator.<JsonNode>comparingInt(n -> n.get("start").asInt())
                    .thenComparingInt(n -> n.get("end").asInt()).thenComparing(n -> n.get("answer").asText());
            w.sort(bySpan);
            g.sort(bySpan);
        }
        for (int i = 0; i < w.size(); i++) {
            assertEquals(List.of("score", "start", "end", "answer"), iterable(g.get(i)), where);
            assertEquals(w.get(i).get("answer").asText(), g.get(i).get("answer").asText(), where);
            assertEquals(w.get(i).get("start").asInt(), g.get(i).get("start").asInt(), where);
            assertEquals(w.get(i).get("end").asInt(), g.get(i).get("end").asInt(), where);
            assertEquals(w.get(i).get("score").asDouble(), g.get(i).get("score").asDouble(), 1e-4, where);
        }
    }

    private static List<String> iterable(JsonNode o) {
        List<String> keys = new ArrayList<>();
        o.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    @TestFactory
    Stream<DynamicTest> tinyQaMatchesTransformers() {
        return TaskFixtures.eachCase(expected, 30, c -> check(qa, c));
    }

    @Test
    void windowsAsTokenizers022() {
        // "chunks" = how many question+context windows tokenizers 0.22.2 made (0.23.1-2 drop some: the fixtures README)
        int many = 0;
        for (JsonNode c : expected.get("cases")) {
            Options o = Options.fromJson(c.get("kwargs"));
            int n = qa.windowCount(new QuestionAnswering.Input(c.get("input").get("question").asText(), c.get("input").get("context").asText()), o);
            assertEquals(c.get("chunks").asInt(), n, c.get("id").asText());
            if (n > 2) many++;
        }
        assertTrue(many >= 5, "cases with several windows: " + many);
    }

    @Test
    void emptyQuestionOrContextIsAClearError() {
        var e = assertThrows(IllegalArgumentException.class, () -> qa.answer("", "Paris is in France.", Options.DEFAULT));
        assertTrue(e.getMessage().contains("question is empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> qa.answer("Where is Paris?", "", Options.DEFAULT));
        assertTrue(e.getMessage().contains("needs a context"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> qa.answer("Where is Paris?", null, Options.DEFAULT));
        assertTrue(e.getMessage().contains("needs a context"), e.getMessage());
    }

    @Test
    void badParametersAreClearErrors() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Options.DEFAULT.withTopK(0)).getMessage().contains("top_k"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Options.DEFAULT.withMaxAnswerLen(0)).getMessage().contains("max_answer_len"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Options.DEFAULT.withMaxSeqLen(64).withDocStride(65))
                .getMessage().contains("doc_stride (65) is larger than max_seq_len (64)"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Options.fromJson(TaskFixtures.JSON.readTree("{\"topk\": 2}")))
                .getMessage().contains("unknown question-answering parameter 'topk'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Options.fromJson(TaskFixtures.JSON.readTree("{\"top_k\": \"2\"}")))
                .getMessage().contains("top_k must be an integer"));
        String context = "word ".repeat(100);
        // a question that fills the window leaves no room for the context; a stride as wide as the room never advances
        var e = assertThrows(IllegalArgumentException.class, () -> qa.answer("what is it " + "and ".repeat(40), context,
                Options.DEFAULT.withMaxSeqLen(32)));
        assertTrue(e.getMessage().contains("leaving no room for the context"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> qa.answer("what?", context, Options.DEFAULT.withMaxSeqLen(32).withDocStride(28)));
        assertTrue(e.getMessage().contains("doc_stride 28 must be less than the 27 context tokens"), e.getMessage());
    }

    @Test
    void jsonOffsetsArePythonStringIndicesAfterAnEmoji() {
        // Python: "\U0001F600 Paris".index("Paris") == 2; Java's UTF-16 index is 3 (the emoji is a surrogate pair)
        String context = "\uD83D\uDE00 Paris is the capital of France.";
        assertEquals(Map.of("score", 0.5, "start", 2, "end", 7, "answer", "Paris"), new Answer(0.5, 3, 8, "Paris").toMap(context));
        for (Answer a : qa.answer("What is the capital of France?", context, Options.DEFAULT.withTopK(5))) {
            assertEquals(a.answer(), context.substring(a.start(), a.end()));
        }
    }

    /** The tiny QA folder copied to {@code dir} with each tensor through {@code edit} (null: left out). */
    private static void copyTinyQa(Path dir, java.util.function.BiFunction<String, FloatTensor, FloatTensor> edit) throws Exception {
        try (var files = Files.list(tiny)) {
            for (Path f : files.toList()) if (!f.endsWith("model.safetensors")) Files.copy(f, dir.resolve(f.getFileName()));
        }
        Map<String, FloatTensor> kept = new LinkedHashMap<>();
        try (var c = Checkpoint.open(tiny)) {
            for (String n : c.tensors().names()) {
                FloatTensor t = edit.apply(n, c.tensors().load(n));
                if (t != null) kept.put(n, t);
            }
        }
        SafetensorsWriter.write(dir.resolve("model.safetensors"), kept, Map.of("format", "pt"));
    }

    @Test
    void convertRefusesAQaFolderRatherThanDropItsHead(@TempDir Path dir) {
        var e = assertThrows(IllegalArgumentException.class, () -> Models.convert(tiny.toString(), dir.resolve("out"), false, null));
        assertTrue(e.getMessage().contains("it has a task head (qa_outputs.* tensors)"), e.getMessage());
    }

    @Test
    void aSequenceClassifierIsNotAQuestionAnsweringModel() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Models.questionAnswering(TaskFixtures.tiny("sentiment").toString(), null, Precision.FP32));
        assertTrue(e.getMessage().contains("is a BertForSequenceClassification, not a question-answering model (config.json's architectures)"), e.getMessage());
    }

    @Test
    void aFolderWithoutQaOutputsIsAClearError(@TempDir Path dir) throws Exception {
        copyTinyQa(dir, (n, t) -> n.startsWith("qa_outputs.") ? null : t);
        var e = assertThrows(IllegalArgumentException.class, () -> Models.questionAnswering(dir.toString(), null, Precision.FP32));
        assertTrue(e.getMessage().contains("has no question-answering head"), e.getMessage());
    }

    @Test
    void aHeadOfTheWrongShapeIsAClearError(@TempDir Path dir) throws Exception {
        copyTinyQa(dir, (n, t) -> n.equals("qa_outputs.weight") ? FloatTensor.zeros(3, 32) : n.equals("qa_outputs.bias") ? FloatTensor.zeros(3) : t);
        var e = assertThrows(RuntimeException.class, () -> Models.questionAnswering(dir.toString(), null, Precision.FP32));
        assertTrue(e.getMessage().contains("qa_outputs.weight [3, 32]") && e.getMessage().contains("needs [2, 32] and [2]"), e.getMessage());
    }
}
