package dev.mlm4j.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.config.Precision;
import dev.mlm4j.pipelines.TokenClassification.Aggregation;
import dev.mlm4j.pipelines.TokenClassification.Entity;
import dev.mlm4j.pipelines.TokenClassification.Options;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The token-classification pipeline against Hugging Face's: every case of {@code tasks/tiny/ner/expected.json}
 * (transformers 5.18's {@code pipeline("token-classification")} on the tiny random BertForTokenClassification,
 * made by scripts/reference/tasks/make_fixtures.py): labels, words and offsets exactly, scores within 1e-4.
 */
class TokenClassificationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static Path tiny;
    static TokenClassification ner;
    static JsonNode expected;

    @BeforeAll
    static void load() throws Exception {
        tiny = Path.of(TokenClassificationTest.class.getResource("/tasks/tiny/ner").toURI());
        ner = Models.tokenClassification(tiny.toString(), null, Precision.FP32);
        expected = JSON.readTree(tiny.resolve("expected.json").toFile());
    }

    static Options options(JsonNode kwargs) {
        Options o = Options.DEFAULT.withAggregation(Aggregation.of(kwargs.path("aggregation_strategy").asText("none")));
        if (kwargs.has("ignore_labels")) {
            List<String> ignore = new ArrayList<>();
            kwargs.get("ignore_labels").forEach(n -> ignore.add(n.asText()));
            o = o.withIgnoreLabels(ignore);
        }
        if (kwargs.has("stride")) o = o.withStride(kwargs.get("stride").asInt());
        return o;
    }

    /** One expected.json case: entities, labels, words and offsets exactly, scores within 1e-4, Hugging Face's keys. */
    static void check(TokenClassification ner, JsonNode c) {
        String text = c.get("input").asText();
        List<Entity> got = ner.classify(text, options(c.get("kwargs")));
        JsonNode want = c.get("output");
        assertEquals(want.size(), got.size(), () -> "entities of " + c.get("id") + ": " + got.stream().map(e -> e.toMap(text)).toList());
        for (int i = 0; i < got.size(); i++) {
            JsonNode w = want.get(i);
            Entity g = got.get(i);
            String where = c.get("id").asText() + " #" + i + " " + g.toMap(text);
            if (w.has("entity")) {
                assertEquals(w.get("entity").asText(), g.entity(), where);
                assertEquals(w.get("index").asInt(), g.index(), where);
            } else {
                assertEquals(w.get("entity_group").asText(), g.entityGroup(), where);
            }
            assertEquals(w.get("word").asText(), g.word(), where);
            assertEquals(w.get("start").asInt(), g.toMap(text).get("start"), where);
            assertEquals(w.get("end").asInt(), g.toMap(text).get("end"), where);
            assertEquals(w.get("score").asDouble(), g.score(), 1e-4, where);
            assertEquals(w.get("entity") != null ? List.of("entity", "score", "index", "word", "start", "end")
                    : List.of("entity_group", "score", "word", "start", "end"), List.copyOf(g.toMap(text).keySet()), where);
        }
    }

    @TestFactory
    Stream<DynamicTest> tinyNerMatchesTransformers() {
        return TaskFixtures.eachCase(expected, 30, c -> check(ner, c));
    }

    @Test
    void jsonOffsetsArePythonStringIndicesAfterAnEmoji() {
        // Python: "\U0001F600 Berlin".index("Berlin") == 2; Java's UTF-16 index is 3 (the emoji is a surrogate pair)
        String text = "\uD83D\uDE00 Berlin";
        List<Entity> got = ner.classify(text, Options.DEFAULT.withIgnoreLabels(List.of()));
        Entity berlin = got.get(got.size() - 1);
        assertEquals("Berlin", text.substring(berlin.start(), berlin.end()));
        assertEquals(3, berlin.start());
        assertEquals(2, berlin.toMap(text).get("start"));
        assertEquals(8, berlin.toMap(text).get("end"));
    }

    @Test
    void labelsComeFromId2label() {
        assertEquals(List.of("O", "B-MISC", "I-MISC", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"), ner.labels());
    }

    @Test
    void joinsWordPiecesAsTheWordPieceDecoder() {
        // tokenizers' WordPiece(prefix="##", cleanup=True).decode, checked with transformers' convert_tokens_to_string
        assertEquals("##a b.n'tc ' s,", TokenClassification.joinTokens(List.of("##a", "b", ".", "n't", "##c", "'", "s", ",")));
    }

    @Test
    void strideNeedsAnAggregation() {
        var e = assertThrows(IllegalArgumentException.class, () -> Options.DEFAULT.withStride(16));
        assertTrue(e.getMessage().contains("aggregation"), e.getMessage());
        // transformers refuses stride=0 too: 0 is a stride (windows side by side), not "no stride"
        assertThrows(IllegalArgumentException.class, () -> Options.DEFAULT.withStride(0));
    }

    @Test
    void strideZeroTagsTheWholeTextInWindowsSideBySide() {
        // ner-31's text is 584 content tokens. transformers' stride=0 (tokenizers 0.22, as the fixtures): windows [0, 510)
        // and [510, 584), side by side, so nothing overlaps and the entities are the first window's (the truncated
        // answer) followed by the second's, up to the end of the text, as the fixture's stride-32 answer reaches it.
        JsonNode c = expected.get("cases").valueStream().filter(k -> k.get("id").asText().equals("ner-stride-0-simple-32")).findFirst()
                .orElseThrow();
        String text = c.get("input").asText();
        Options simple = Options.DEFAULT.withAggregation(Aggregation.SIMPLE);
        List<Entity> truncated = ner.classify(text, simple), windowed = ner.classify(text, simple.withStride(0));
        assertTrue(truncated.getLast().end() < text.length() - 300, "truncated: " + truncated.getLast());
        assertEquals(truncated.subList(0, truncated.size() - 1), windowed.subList(0, truncated.size() - 1));
        JsonNode last = c.get("output").get(c.get("output").size() - 1);
        assertEquals(last.get("end").asInt(), windowed.getLast().end());
        assertEquals(text.length(), windowed.getLast().end());
    }

    private static Path copyTiny(Path dir) throws Exception {
        try (var files = Files.list(tiny)) {
            for (Path f : files.toList()) Files.copy(f, dir.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        return dir;
    }

    @Test
    void aFolderWithoutTheClassifierIsAClearError(@TempDir Path dir) throws Exception {
        copyTiny(dir);
        // the same tensors without classifier.*: rewrite model.safetensors keeping the encoder only
        var kept = new java.util.LinkedHashMap<String, dev.mlm4j.tensor.FloatTensor>();
        try (var c = dev.mlm4j.model.Checkpoint.open(tiny)) {
            for (String n : c.tensors().names()) if (!n.startsWith("classifier.")) kept.put(n, c.tensors().load(n));
        }
        Files.delete(dir.resolve("model.safetensors"));
        dev.mlm4j.weights.safetensors.SafetensorsWriter.write(dir.resolve("model.safetensors"), kept, java.util.Map.of("format", "pt"));
        assertLoadFails(dir, "no token-classification head");
    }

    @Test
    void id2labelOfTheWrongSizeIsAClearError(@TempDir Path dir) throws Exception {
        copyTinyWithConfig(dir, "\"8\": \"I-LOC\"", "\"8\": \"I-LOC\", \"9\": \"X\"");
        assertLoadFails(dir, "\"id2label\" has 10 labels but the classifier");
    }

    @Test
    void aSequenceClassifierIsNotATokenClassifier(@TempDir Path dir) throws Exception {
        copyTinyWithConfig(dir, "BertForTokenClassification", "BertModel");
        assertLoadFails(dir, "not a token classifier");
    }

    /** The tiny tagger copied into {@code dir} with {@code from} replaced by {@code to} in its config.json. */
    private static void copyTinyWithConfig(Path dir, String from, String to) throws Exception {
        copyTiny(dir);
        Path config = dir.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace(from, to));
    }

    private static void assertLoadFails(Path dir, String expected) {
        var e = assertThrows(IllegalArgumentException.class, () -> Models.tokenClassification(dir.toString(), null, Precision.FP32));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
