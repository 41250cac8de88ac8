package dev.mlm4j.server;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.langchain4j.model.output.Response;
import dev.mlm4j.pipelines.FeatureExtraction;
import dev.mlm4j.pipelines.Models;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A client nobody here wrote: langchain4j's OpenAI embedding model pointed at the server's /v1, with and
 * without base64, with an API key, batching segments as it likes: the vectors are the Java API's.
 */
class OpenAiClientTest {

    static MlmServer server;
    static FeatureExtraction java;

    @BeforeAll
    static void start() {
        server = TestServers.start(TestServers.options().withApiKey("sk-test-key"), TestServers.miniLm());
        java = Models.embeddings(TestServers.MINILM);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.stop();
    }

    static OpenAiEmbeddingModel client(String encoding) {
        var b = OpenAiEmbeddingModel.builder()
                .baseUrl(server.baseUrl() + "/v1")
                .apiKey("sk-test-key")
                .modelName(TestServers.MINILM)
                .maxSegmentsPerBatch(16)
                .timeout(Duration.ofSeconds(120))
                .maxRetries(0);
        if (encoding != null) b.encodingFormat(encoding);
        return b.build();
    }

    @Test
    void langchain4jGetsTheRightVectors() {
        List<TextSegment> segments = new ArrayList<>();
        for (int i = 0; i < 40; i++) segments.add(TextSegment.from("sentence number " + i + " about " + (i % 3 == 0 ? "cats" : "the weather")));
        List<float[]> want = java.embed(segments.stream().map(TextSegment::text).toList());
        for (String encoding : new String[] {null, "float", "base64"}) {
            Response<List<Embedding>> r = client(encoding).embedAll(segments);
            assertEquals(segments.size(), r.content().size());
            for (int i = 0; i < segments.size(); i++) {
                float[] got = r.content().get(i).vector();
                assertEquals(want.get(i).length, got.length);
                for (int k = 0; k < got.length; k++) assertEquals(want.get(i)[k], got[k], 1e-6, encoding + " segment " + i + "[" + k + "]");
            }
            int tokens = 0;
            for (int i = 0; i < segments.size(); i++) tokens += java.encode(segments.get(i).text(), i, FeatureExtraction.Options.DEFAULT).length();
            assertEquals(tokens, r.tokenUsage().inputTokenCount(), "usage is summed over langchain4j's batches");
        }
        Embedding one = client(null).embed("hello world").content();
        float[] want1 = java.embed("hello world");
        for (int k = 0; k < want1.length; k++) assertEquals(want1[k], one.vector()[k], 1e-6);
    }

    @Test
    void aWrongKeyIsRefused() {
        OpenAiEmbeddingModel wrong = OpenAiEmbeddingModel.builder().baseUrl(server.baseUrl() + "/v1").apiKey("nope")
                .modelName(TestServers.MINILM).maxRetries(0).build();
        RuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> wrong.embed("hi"));
        org.junit.jupiter.api.Assertions.assertTrue(String.valueOf(e.getMessage()).contains("bearer token")
                || e.getClass().getSimpleName().contains("Authentication"), e.toString());
    }
}
