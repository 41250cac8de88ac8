package dev.mlm4j.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.Row;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Every family beyond BERT through Spark, as a user points a stage at a Hugging Face folder: the random-initialised
 * fixtures of mlm4j-core/src/test/resources/families (made by scripts/reference/families/*.py from transformers). The
 * numbers are transformers' own, from each folder's expected.json — not the core pipeline's: {@link MaskFiller} equals
 * transformers' fill-mask pipeline on the family's own mask token ("fill_mask": ids and strings exact, scores within
 * 1e-4), {@link Embedder} and the {@code embed} UDF give the mean of transformers' last hidden state (1e-4; a folder
 * without an embeddings card: mean pooling, not normalised). A text with the other families' mask token gets a null
 * result and a reason naming the model's own.
 */
class FamiliesTest {

    static final Path FAMILIES = Path.of("../mlm4j-core/src/test/resources/families");

    static String folder(String model) {
        return FAMILIES.resolve(model).toAbsolutePath().normalize().toString();
    }

    static JsonNode expected(String model) {
        try {
            return new ObjectMapper().readTree(FAMILIES.resolve(model).resolve("expected.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest
    @CsvSource({"roberta-tiny,<mask>,[MASK]", "xlm-roberta-tiny,<mask>,[MASK]", "distilbert-tiny,[MASK],<mask>",
            "electra-tiny,[MASK],<mask>", "deberta-v3-tiny,[MASK],<mask>", "modernbert-tiny,[MASK],<mask>"})
    void maskFillerUsesTheFamilysMaskAndEqualsTransformersPipeline(String model, String mask, String wrong) {
        JsonNode fills = expected(model).get("fill_mask");
        List<String> texts = new ArrayList<>();
        for (JsonNode f : fills) texts.add(f.get("text").asText());
        String wrongText = "The capital of France is " + wrong + ".";
        texts.add(wrongText);
        Map<Long, Row> got = EmbedderTest.byId(new MaskFiller().setModel(folder(model)).transform(SparkTests.frame(texts, 2)));
        for (int t = 0; t < fills.size(); t++) {
            JsonNode want = fills.get(t).get("predictions");
            List<Row> c = got.get((long) t).getList(2);
            assertEquals(want.size(), c.size(), texts.get(t));
            for (int i = 0; i < want.size(); i++) {
                String where = texts.get(t) + " candidate " + i;
                assertEquals(want.get(i).get("token").asInt(), c.get(i).getInt(3), where);
                assertEquals(want.get(i).get("token_str").asText(), c.get(i).getString(2), where);
                assertEquals(want.get(i).get("score").asDouble(), c.get(i).getDouble(4), 1e-4, where);
            }
            assertNull(got.get((long) t).get(3));
        }
        Row refused = got.get((long) fills.size());
        assertNull(refused.get(2));
        assertEquals("no " + mask + " token in the text: this model's mask token is " + mask + ", not " + wrong, refused.getString(3));
    }

    @ParameterizedTest
    @ValueSource(strings = {"roberta-tiny", "xlm-roberta-tiny", "distilbert-tiny", "electra-tiny", "deberta-v3-tiny", "modernbert-tiny"})
    void embedderAndTheEmbedUdfGiveTheMeanOfTransformersLastHiddenState(String model) {
        JsonNode sentences = expected(model).get("sentences");
        List<String> texts = new ArrayList<>();
        for (JsonNode s : sentences) texts.add(s.get("text").asText());
        Map<Long, Row> got = EmbedderTest.byId(new Embedder().setModel(folder(model)).transform(SparkTests.frame(texts, 2)));
        String udf = "embed_" + model.replace('-', '_');
        Mlm4jUdfs.registerEmbed(SparkTests.spark(), udf, folder(model));
        Map<Long, Row> viaUdf = EmbedderTest.byId(SparkTests.frame(texts, 2).selectExpr("id", udf + "(text)"));
        for (int t = 0; t < texts.size(); t++) {
            JsonNode hidden = sentences.get(t).get("last_hidden_state");
            float[] mean = new float[hidden.get(0).size()];
            for (int j = 0; j < mean.length; j++) {
                double sum = 0;
                for (JsonNode row : hidden) sum += row.get(j).asDouble();
                mean[j] = (float) (sum / hidden.size());
            }
            EmbedderTest.assertClose(mean, EmbedderTest.floats(got.get((long) t), 2), 1e-4, texts.get(t) + " (Embedder)");
            EmbedderTest.assertClose(mean, EmbedderTest.floats(viaUdf.get((long) t), 1), 1e-4, texts.get(t) + " (embed UDF)");
        }
    }
}
