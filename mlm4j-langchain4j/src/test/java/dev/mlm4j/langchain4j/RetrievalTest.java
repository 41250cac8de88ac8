package dev.mlm4j.langchain4j;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.retriever.ContentRetriever;
import dev.langchain4j.rag.content.retriever.EmbeddingStoreContentRetriever;
import dev.langchain4j.rag.query.Query;
import dev.langchain4j.store.embedding.EmbeddingStoreIngestor;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LangChain4j's own retrieval — {@link EmbeddingStoreIngestor} into an {@link InMemoryEmbeddingStore}, queried by an
 * {@link EmbeddingStoreContentRetriever} — over the first {@value #SENTENCES} sentences of the Brown corpus
 * (mlm4j-core's tokens/brown-10k.txt.gz), once with {@link Mlm4jEmbeddingModel} (all-MiniLM-L6-v2, pure Java) and once
 * with LangChain4j's own ONNX Runtime module of the same model ({@link AllMiniLmL6V2EmbeddingModel}, the oracle):
 * the same sentences come back in the same order with the same scores, and every vector agrees within 1e-4.
 * Each model is loaded once for the class.
 */
class RetrievalTest {

    static final int SENTENCES = 300;
    static final double VECTOR_TOLERANCE = 1e-4;
    static final List<String> QUERIES = List.of(
            "What did the grand jury say about the election?",
            "taxes paid by Fulton County",
            "the new airport in Atlanta",
            "Who was elected governor?",
            "a bill passed by the state senate",
            "money for schools and teachers",
            "the mayor of the city",
            "court judge ruled on the case",
            "highway construction and roads",
            "hospital and welfare programs");

    static Mlm4jEmbeddingModel mlm4j;
    static EmbeddingModel onnx;
    static List<String> texts;
    static Response<List<Embedding>> ours, theirs;   // every sentence embedded once by each model

    @BeforeAll
    static void load() throws Exception {
        mlm4j = Mlm4jEmbeddingModel.builder().modelName("all-MiniLM-L6-v2").build();
        onnx = new AllMiniLmL6V2EmbeddingModel();
        texts = brown(SENTENCES);
        List<TextSegment> segments = texts.stream().map(TextSegment::from).toList();
        ours = mlm4j.embedAll(segments);
        theirs = onnx.embedAll(segments);
    }

    static List<String> brown(int n) throws Exception {
        Path file = Path.of("..", "mlm4j-core", "src", "test", "resources", "tokens", "brown-10k.txt.gz");
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
            for (String line; lines.size() < n && (line = r.readLine()) != null; ) if (!line.isBlank()) lines.add(line);
        }
        return lines;
    }

    /**
     * Both models see the same tokens: the same tokenizer (LangChain4j's jar holds the same tokenizer.json as mlm4j's
     * model), and no sentence reaches a length limit. The limits differ: LangChain4j's module truncates at 128 tokens
     * (DJL's HuggingFaceTokenizer applies tokenizer.json's truncation, max_length 128, so its own split of long texts
     * into 510-token parts never happens); mlm4j truncates at the model's 256 (sentence-transformers' max_seq_length).
     */
    @Test
    void bothModelsCountTheSameTokensAndNoSentenceIsTruncated() {
        int mlm4jTokens = ours.tokenUsage().inputTokenCount();
        int onnxTokens = theirs.tokenUsage().inputTokenCount();
        assertEquals(onnxTokens, mlm4jTokens, "word pieces over all sentences, [CLS] and [SEP] not counted");
        int sum = 0, longest = 0;
        for (String t : texts) {
            int n = mlm4j.estimateTokenCountInText(t);
            sum += n;
            longest = Math.max(longest, n);
        }
        assertEquals(mlm4jTokens, sum, "the estimator counts what embedAll reports");
        assertTrue(longest + 2 <= 128, "the longest sentence is " + (longest + 2) + " tokens: it would be truncated by LangChain4j's module");
    }

    /** The measured limits (see above): 300 words in, 126 word pieces counted by LangChain4j's module, 254 by mlm4j. */
    @Test
    void theLengthLimitsDiffer() {
        String longText = String.join(" ", texts.subList(0, 20));
        assertTrue(mlm4j.estimateTokenCountInText(longText) > 300);
        TextSegment segment = TextSegment.from(longText);
        assertEquals(128 - 2, onnx.embedAll(List.of(segment)).tokenUsage().inputTokenCount(), "LangChain4j's module cuts at 128 tokens");
        assertEquals(256 - 2, mlm4j.embedAll(List.of(segment)).tokenUsage().inputTokenCount(), "mlm4j cuts at the model's 256 tokens");
        assertEquals(256, mlm4j.maxTokens());
        Mlm4jEmbeddingModel strict = Mlm4jEmbeddingModel.builder().modelName("all-MiniLM-L6-v2").truncate(false).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> strict.embedAll(List.of(TextSegment.from("short"), segment)));
        assertTrue(e.getMessage().startsWith("text 2 is "), e.getMessage());
    }

    @Test
    void theTokenCountEstimatorCountsMessagesByTheirText() {
        assertEquals(0, mlm4j.estimateTokenCountInText(""));
        int expected = mlm4j.estimateTokenCountInText("You answer briefly.") + mlm4j.estimateTokenCountInText("Where is the cat?")
                + mlm4j.estimateTokenCountInText("On the mat.");
        assertEquals(expected, mlm4j.estimateTokenCountInMessages(List.of(SystemMessage.from("You answer briefly."),
                UserMessage.from("Where is the cat?"), AiMessage.from("On the mat."))));
        assertEquals(5, mlm4j.estimateTokenCountInText("Where is the cat?"), "where is the cat ? (the tokenizer's word pieces)");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Mlm4jEmbeddingModel.builder().build());
        assertEquals("modelName (or modelPath) is required", e.getMessage());
    }

    @Test
    void vectorsAgreeWithTheOnnxModule() {
        List<Embedding> a = ours.content(), b = theirs.content();
        assertEquals(texts.size(), a.size());
        assertEquals(texts.size(), b.size());
        assertEquals(onnx.dimension(), mlm4j.dimension());
        assertEquals(384, mlm4j.dimension());
        double worst = 0;
        for (int i = 0; i < a.size(); i++) {
            float[] x = a.get(i).vector(), y = b.get(i).vector();
            assertEquals(y.length, x.length);
            for (int j = 0; j < x.length; j++) worst = Math.max(worst, Math.abs(x[j] - y[j]));
        }
        assertTrue(worst < VECTOR_TOLERANCE, "largest difference " + worst);
    }

    @Test
    void retrievalGivesTheSameRankedSentencesAsTheOnnxModule() {
        ContentRetriever mine = retriever(mlm4j), reference = retriever(onnx);
        for (String q : QUERIES) {
            List<Content> a = mine.retrieve(Query.from(q)), b = reference.retrieve(Query.from(q));
            assertEquals(10, b.size(), q);
            assertEquals(ids(b), ids(a), q);
            for (int i = 0; i < a.size(); i++) {
                assertEquals(score(b.get(i)), score(a.get(i)), VECTOR_TOLERANCE, q + " result " + i);
            }
        }
    }

    /** The sentences ingested by LangChain4j's ingestor into its in-memory store, with a retriever of the 10 best. */
    static ContentRetriever retriever(EmbeddingModel model) {
        InMemoryEmbeddingStore<TextSegment> store = new InMemoryEmbeddingStore<>();
        List<Document> documents = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) documents.add(Document.from(texts.get(i), new Metadata().put("line", i)));
        EmbeddingStoreIngestor.builder().embeddingModel(model).embeddingStore(store).build().ingest(documents);
        return EmbeddingStoreContentRetriever.builder().embeddingStore(store).embeddingModel(model).maxResults(10).build();
    }

    static List<Integer> ids(List<Content> results) {
        return results.stream().map(c -> c.textSegment().metadata().getInteger("line")).toList();
    }

    static double score(Content c) {
        return ((Number) c.metadata().get(dev.langchain4j.rag.content.ContentMetadata.SCORE)).doubleValue();
    }
}
