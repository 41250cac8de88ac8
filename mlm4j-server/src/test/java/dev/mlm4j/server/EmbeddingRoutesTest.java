package dev.mlm4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlm4j.pipelines.FeatureExtraction;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.pipelines.Pooling;
import dev.mlm4j.pipelines.Similarity;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static dev.mlm4j.server.ServerRoutesTest.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TEI's and OpenAI's embedding routes on all-MiniLM-L6-v2: the Java API's vectors, to 1e-6. */
class EmbeddingRoutesTest {

    static final List<String> TEXTS = List.of("A man is playing a guitar.", "The new movie is awesome.",
            "Héllo wörld — ünïcode, emoji 🙂 and 漢字.", "x");

    static MlmServer server;
    static Http http;
    static FeatureExtraction java;

    @BeforeAll
    static void start() {
        server = TestServers.start(TestServers.options(), TestServers.miniLm(), TestServers.bert());
        http = new Http(server.baseUrl());
        java = Models.embeddings(TestServers.MINILM);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.stop();
    }

    static void assertVector(float[] want, JsonNode got, String what) {
        assertEquals(want.length, got.size(), what + ": dimension");
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got.get(i).asDouble(), 1e-6, what + "[" + i + "]");
    }

    @Test
    void embedIsTheJavaApisVector() {
        List<float[]> want = java.embed(TEXTS);
        JsonNode one = http.post("/embed", Map.of("inputs", TEXTS.getFirst())).json();
        assertEquals(1, one.size());
        assertVector(want.getFirst(), one.get(0), "single");
        JsonNode all = http.post("/embed", Map.of("inputs", TEXTS)).json();
        assertEquals(TEXTS.size(), all.size());
        for (int i = 0; i < TEXTS.size(); i++) assertVector(want.get(i), all.get(i), "inputs[" + i + "]");
        // the default model for /embed is the embedding model, even with a fill-mask model served too
        assertEquals(384, all.get(0).size());
    }

    @Test
    void embedOptions() {
        float[] raw = java.extract(List.of(TEXTS.getFirst()), FeatureExtraction.Options.DEFAULT.withNormalize(false)).getFirst().vector();
        assertVector(raw, http.post("/embed", Map.of("inputs", TEXTS.getFirst(), "normalize", false)).json().get(0), "normalize false");
        JsonNode cut = http.post("/embed", Map.of("inputs", TEXTS.getFirst(), "dimensions", 64)).json().get(0);
        assertEquals(64, cut.size());
        double n = 0;
        for (JsonNode x : cut) n += x.asDouble() * x.asDouble();
        assertEquals(1.0, n, 1e-5, "cut vectors are normalised again");
        // token ids instead of text: the same vector
        JsonNode ids = http.post("/tokenize", Map.of("inputs", TEXTS.getFirst())).json().get(0);
        List<Integer> idList = new ArrayList<>();
        for (JsonNode t : ids) idList.add(t.get("id").asInt());
        assertVector(java.embed(TEXTS.getFirst()), http.post("/embed", Map.of("inputs", List.of(idList))).json().get(0), "ids");
        // ids run as they are (TEI): [UNK] (the emoji) kept, and nothing added to ids sent without [CLS] … [SEP]
        List<Integer> unk = new ArrayList<>();
        for (JsonNode t : http.post("/tokenize", Map.of("inputs", TEXTS.get(2))).json().get(0)) unk.add(t.get("id").asInt());
        assertTrue(unk.contains(100), "the emoji is [UNK] (100) in MiniLM's vocabulary: " + unk);
        assertVector(java.embed(TEXTS.get(2)), http.post("/embed", Map.of("inputs", List.of(unk))).json().get(0), "ids with [UNK]");
        List<Integer> bare = idList.subList(1, idList.size() - 1);
        JsonNode bareVector = http.post("/embed", Map.of("inputs", List.of(bare))).json().get(0);
        assertTrue(Similarity.cosine(java.embed(TEXTS.getFirst()), toFloats(bareVector)) < 0.999, "ids without [CLS]/[SEP] are another input");
        JsonNode usage = http.post("/v1/embeddings", Map.of("input", bare, "model", TestServers.MINILM)).json().get("usage");
        assertEquals(bare.size(), usage.get("prompt_tokens").asInt(), "usage counts the ids sent");
        // bert-base-uncased serves embeddings too, by name
        assertEquals(768, http.post("/embed", Map.of("inputs", "hi", "model", TestServers.BERT)).json().get(0).size());

        String longText = "word ".repeat(600);
        assertError(http.post("/embed", Map.of("inputs", longText)), 422, "Tokenizer");
        // as TEI, MiniLM takes at most sentence-transformers' max_seq_length (256), not its 512 positions; /info says so
        String over256 = "word ".repeat(300);
        assertError(http.post("/embed", Map.of("inputs", over256)), 422, "Tokenizer");
        assertError(http.post("/v1/embeddings", Map.of("input", over256, "model", TestServers.MINILM)), 422, "Tokenizer");
        assertTrue(http.post("/v1/embeddings", Map.of("input", over256, "model", TestServers.MINILM)).json().get("error").textValue()
                .contains("--auto-truncate"), "the hint names what works on that route");
        assertError(http.post("/embed", Map.of("inputs", List.of(java.encode("word ".repeat(300), 0,
                FeatureExtraction.Options.DEFAULT.withMaxLength(512)).ids()))), 422, "Tokenizer");
        assertEquals(256, http.get("/info").json().get("max_input_length").asInt());
        float[] truncated = java.extract(List.of(longText), FeatureExtraction.Options.DEFAULT.withTruncate(true)).getFirst().vector();
        assertVector(truncated, http.post("/embed", Map.of("inputs", longText, "truncate", true)).json().get(0), "truncated");
        assertError(http.post("/embed", Map.of("inputs", "a", "dimensions", 385)), 400, "Validation");
        assertError(http.post("/embed_all", Map.of("inputs", Collections.nCopies(32, "word ".repeat(400)),
                "model", TestServers.BERT)), 413, "Validation");   // 32 × 402 tokens × 768 numbers
        assertError(http.post("/embed", Map.of("inputs", "a", "truncation_direction", "Left")), 400, "Validation");
        assertError(http.post("/embed", Map.of("inputs", List.of())), 400, "Empty");
        assertError(http.post("/embed", Map.of("inputs", List.of("a", 3))), 400, "Validation");
        assertError(http.post("/embed", Map.of("inputs", "a", "model", "nope")), 404, "NotFound");
    }

    @Test
    void embedAllIsTheLastHiddenState() {
        FeatureExtraction.Embedding e = java.extract(List.of(TEXTS.get(1)), FeatureExtraction.Options.DEFAULT.withPooling(Pooling.NONE)).getFirst();
        JsonNode r = http.post("/embed_all", Map.of("inputs", TEXTS.get(1))).json();
        assertEquals(1, r.size());
        assertEquals(e.tokenVectors().length, r.get(0).size(), "one vector per token");
        for (int t = 0; t < e.tokenVectors().length; t++) assertVector(e.tokenVectors()[t], r.get(0).get(t), "token " + t);
    }

    @Test
    void similarityIsTheCosine() {
        List<float[]> v = java.embed(TEXTS);
        Http.Reply reply = http.post("/similarity", Map.of("inputs", Map.of("source_sentence", TEXTS.get(0),
                "sentences", TEXTS.subList(1, TEXTS.size()))));
        assertEquals(200, reply.status(), reply.toString());
        JsonNode r = reply.json();
        assertEquals(TEXTS.size() - 1, r.size(), reply.toString());
        for (int i = 1; i < TEXTS.size(); i++) assertEquals(Similarity.cosine(v.get(0), v.get(i)), r.get(i - 1).asDouble(), 1e-6);
        assertError(http.post("/similarity", Map.of("inputs", Map.of("source_sentence", "a"))), 400, "Validation");
        assertError(http.post("/similarity", Map.of("inputs", Map.of("source_sentence", "a", "sentences", List.of()))), 400, "Empty");
        // a nested field is named by its path in the request
        assertEquals("`inputs.sentences[1]` must be a string, got a number", http.post("/similarity",
                Map.of("inputs", Map.of("source_sentence", "a", "sentences", List.of("b", 3)))).json().get("error").asText());
        // an over-length input is named as the request names it: the source, or sentences[i] counted from 0
        String over256 = "word ".repeat(300);
        assertEquals("`inputs.sentences[1]` is 302 tokens, over the model's maximum of 256; send \"truncate\": true to keep its first 256",
                http.post("/similarity", Map.of("inputs", Map.of("source_sentence", "a", "sentences", List.of("b", over256))))
                        .json().get("error").asText());
        assertTrue(http.post("/similarity", Map.of("inputs", Map.of("source_sentence", over256, "sentences", List.of("b"))))
                .json().get("error").asText().startsWith("`inputs.source_sentence` is 302 tokens"));
        assertEquals("`parameters.truncate` must be true or false, got a string", http.post("/similarity",
                Map.of("inputs", Map.of("source_sentence", "a", "sentences", List.of("b")), "parameters", Map.of("truncate", "yes")))
                .json().get("error").asText());
    }

    @Test
    void openAiEmbeddingsExactly() {
        List<float[]> want = java.embed(TEXTS);
        JsonNode r = http.post("/v1/embeddings", Map.of("input", TEXTS, "model", TestServers.MINILM)).json();
        assertEquals("list", r.get("object").asText());
        assertEquals(TestServers.MINILM, r.get("model").asText());
        int tokens = 0;
        for (int i = 0; i < TEXTS.size(); i++) {
            JsonNode d = r.get("data").get(i);
            assertEquals("embedding", d.get("object").asText());
            assertEquals(i, d.get("index").asInt());
            assertVector(want.get(i), d.get("embedding"), "data[" + i + "]");
            tokens += java.encode(TEXTS.get(i), i, FeatureExtraction.Options.DEFAULT).length();
        }
        assertEquals(tokens, r.get("usage").get("prompt_tokens").asInt());
        assertEquals(tokens, r.get("usage").get("total_tokens").asInt());

        // base64: little-endian float32
        JsonNode b = http.post("/v1/embeddings", Map.of("input", TEXTS.get(0), "model", TestServers.MINILM, "encoding_format", "base64")).json();
        ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(b.get("data").get(0).get("embedding").asText())).order(ByteOrder.LITTLE_ENDIAN);
        float[] decoded = new float[bytes.remaining() / 4];
        for (int i = 0; i < decoded.length; i++) decoded[i] = bytes.getFloat();
        assertEquals(want.get(0).length, decoded.length);
        for (int i = 0; i < decoded.length; i++) assertEquals(want.get(0)[i], decoded[i], 1e-6);

        JsonNode d = http.post("/v1/embeddings", Map.of("input", TEXTS.get(0), "model", TestServers.MINILM, "dimensions", 128)).json();
        assertEquals(128, d.get("data").get(0).get("embedding").size());
        JsonNode models = http.get("/v1/models").json();
        assertEquals(TestServers.MINILM, models.get("data").get(0).get("id").asText());

        assertError(http.post("/v1/embeddings", Map.of("input", "a", "model", "text-embedding-3-small")), 404, "NotFound");
        assertError(http.post("/v1/embeddings", Map.of("input", "a", "encoding_format", "int8")), 400, "Validation");
        assertError(http.post("/v1/embeddings", Map.of("input", List.of(List.of(101, 102), "a"))), 400, "Validation");
        assertError(http.post("/v1/embeddings", Map.of("input", List.of(1 << 20))), 400, "Validation");
    }

    @Test
    void aVectorDoesNotDependOnWhatItWasBatchedWith() throws Exception {
        String probe = "The quick brown fox jumps over the lazy dog.";
        float[] alone = java.embed(probe);
        // A busy batch: many concurrent requests of varied lengths, the probe among them.
        List<CompletableFuture<Http.Reply>> crowd = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            List<String> texts = new ArrayList<>();
            for (int k = 0; k <= i % 5; k++) texts.add("filler sentence number " + i + " " + "with more words ".repeat(i % 7 + k));
            crowd.add(CompletableFuture.supplyAsync(() -> http.post("/embed", Map.of("inputs", texts))));
        }
        List<CompletableFuture<Http.Reply>> probes = new ArrayList<>();
        for (int i = 0; i < 8; i++) probes.add(CompletableFuture.supplyAsync(() -> http.post("/embed", Map.of("inputs", probe))));
        for (CompletableFuture<Http.Reply> p : probes) assertVector(alone, p.get().json().get(0), "probe in a busy batch");
        for (CompletableFuture<Http.Reply> c : crowd) assertEquals(200, c.get().status());
        // The server did batch: some forward pass carried more than one request.
        String metrics = http.get("/metrics").body();
        assertTrue(batchedSomething(metrics), metrics);
    }

    /** Whether the mlm4j_batch_requests histogram of the embeddings batcher saw a batch of 2 or more requests. */
    static boolean batchedSomething(String metrics) {
        long ones = -1, all = -1;
        for (String line : metrics.split("\n")) {
            if (!line.contains("model=\"all-MiniLM-L6-v2\",task=\"embeddings\"")) continue;
            if (line.startsWith("mlm4j_batch_requests_bucket") && line.contains("le=\"1\"")) ones = Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
            if (line.startsWith("mlm4j_batch_requests_count")) all = Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
        }
        return all > ones && ones >= 0;
    }

    static float[] toFloats(JsonNode v) {
        float[] f = new float[v.size()];
        for (int i = 0; i < f.length; i++) f[i] = (float) v.get(i).asDouble();
        return f;
    }
}
