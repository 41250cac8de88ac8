package dev.mlm4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every family beyond BERT over HTTP, as a user serves it: {@code serve --model DIR} on the random-initialised fixtures
 * of mlm4j-core/src/test/resources/families (made by scripts/reference/families/*.py from transformers), all six in
 * one server, each addressed by its folder's name. The numbers are transformers' own, from each folder's expected.json
 * — not the core pipeline's: POST /fill-mask equals transformers' fill-mask pipeline ("fill_mask": tokens and strings
 * exact, scores within 1e-4), and /embed (normalize false), /v1/embeddings and /embed_all equal the mean and the rows
 * of transformers' last hidden state ("last_hidden_state", 1e-4). A text written with the other families' mask token
 * is a 400 Validation error that names the model's own.
 */
class FamilyRoutesTest {

    static final Path FAMILIES = Path.of("../mlm4j-core/src/test/resources/families");
    static MlmServer server;
    static Http http;

    @BeforeAll
    static void start() {
        List<ServedModel> models = new ArrayList<>();
        for (String f : List.of("roberta", "xlm-roberta", "distilbert", "electra", "deberta-v3", "modernbert")) {
            models.add(ServedModel.load(FAMILIES.resolve(f + "-tiny").toString(), null));
        }
        server = MlmServer.start(TestServers.options(), models);
        http = new Http(server.baseUrl());
    }

    @AfterAll
    static void stop() {
        if (server != null) server.stop();
    }

    static JsonNode expected(String model) {
        try {
            return Http.JSON.readTree(FAMILIES.resolve(model).resolve("expected.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest
    @CsvSource({"roberta-tiny,<mask>", "xlm-roberta-tiny,<mask>", "distilbert-tiny,[MASK]", "electra-tiny,[MASK]",
            "deberta-v3-tiny,[MASK]", "modernbert-tiny,[MASK]"})
    void fillMaskWithTheFamilysOwnMaskEqualsTransformersPipeline(String model, String mask) {
        for (JsonNode f : expected(model).get("fill_mask")) {
            String text = f.get("text").asText();
            assertTrue(text.contains(mask), text);
            Http.Reply r = http.post("/fill-mask", Map.of("inputs", text, "model", model));
            assertEquals(200, r.status(), r.toString());
            JsonNode got = r.json(), want = f.get("predictions");
            assertEquals(want.size(), got.size(), text);
            for (int i = 0; i < want.size(); i++) {
                assertEquals(want.get(i).get("token").asInt(), got.get(i).get("token").asInt(), text + " guess " + i);
                assertEquals(want.get(i).get("token_str").asText(), got.get(i).get("token_str").asText(), text + " guess " + i);
                assertEquals(want.get(i).get("score").asDouble(), got.get(i).get("score").asDouble(), 1e-4, text + " guess " + i);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"roberta-tiny,<mask>,[MASK]", "xlm-roberta-tiny,<mask>,[MASK]", "distilbert-tiny,[MASK],<mask>",
            "electra-tiny,[MASK],<mask>", "deberta-v3-tiny,[MASK],<mask>", "modernbert-tiny,[MASK],<mask>"})
    void theOtherFamiliesMaskTokenIsA400NamingTheRightOne(String model, String mask, String wrong) {
        Http.Reply r = http.post("/fill-mask", Map.of("inputs", "The capital of France is " + wrong + ".", "model", model));
        assertEquals(400, r.status(), r.toString());
        assertEquals("Validation", r.json().get("error_type").asText());
        assertEquals("`inputs` has no " + mask + " token: this model's mask token is " + mask + ", not " + wrong,
                r.json().get("error").asText());
    }

    @ParameterizedTest
    @CsvSource({"roberta-tiny", "xlm-roberta-tiny", "distilbert-tiny", "electra-tiny", "deberta-v3-tiny", "modernbert-tiny"})
    void embeddingsAreTransformersLastHiddenState(String model) {
        for (JsonNode s : expected(model).get("sentences")) {
            String text = s.get("text").asText();
            JsonNode hidden = s.get("last_hidden_state");
            double[] mean = new double[hidden.get(0).size()];
            for (JsonNode row : hidden) for (int j = 0; j < mean.length; j++) mean[j] += row.get(j).asDouble() / hidden.size();

            Http.Reply tei = http.post("/embed", Map.of("inputs", text, "normalize", false, "model", model));
            assertEquals(200, tei.status(), tei.toString());
            assertClose(mean, tei.json().get(0), text + " /embed");
            Http.Reply openAi = http.post("/v1/embeddings", Map.of("input", List.of(text), "model", model));
            assertEquals(200, openAi.status(), openAi.toString());
            assertClose(mean, openAi.json().get("data").get(0).get("embedding"), text + " /v1/embeddings");
            assertEquals(hidden.size(), openAi.json().get("usage").get("prompt_tokens").asInt(), text + " tokens");

            JsonNode all = http.post("/embed_all", Map.of("inputs", text, "model", model)).json().get(0);
            assertEquals(hidden.size(), all.size(), text + " /embed_all rows");
            for (int i = 0; i < hidden.size(); i++) {
                double[] row = new double[mean.length];
                for (int j = 0; j < row.length; j++) row[j] = hidden.get(i).get(j).asDouble();
                assertClose(row, all.get(i), text + " /embed_all row " + i);
            }
        }
    }

    private static void assertClose(double[] want, JsonNode got, String what) {
        assertEquals(want.length, got.size(), what);
        for (int j = 0; j < want.length; j++) assertEquals(want[j], got.get(j).asDouble(), 1e-4, what + " dimension " + j);
    }
}
