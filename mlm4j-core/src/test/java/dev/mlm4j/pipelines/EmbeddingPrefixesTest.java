package dev.mlm4j.pipelines;

import dev.mlm4j.model.TestModels;
import dev.mlm4j.pipelines.FeatureExtraction.Input;
import dev.mlm4j.pipelines.FeatureExtraction.Options;
import dev.mlm4j.pipelines.FeatureExtraction.Prefixes;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * E5's "query: " / "passage: " markers (intfloat/e5-small-v2's model card: every input starts with one of them;
 * "query: " for queries and for symmetric tasks, "passage: " for the documents of a retrieval task), put before each
 * text by the embeddings pipeline from the catalogue's card.
 */
class EmbeddingPrefixesTest {

    @Test
    void prefixesGoBeforeTheTextUnlessItAlreadyBeginsWithThem() {
        Prefixes e5 = new Prefixes("query: ", "passage: ");
        assertEquals("query: how much protein", e5.apply("how much protein", null), "query by default");
        assertEquals("query: how much protein", e5.apply("how much protein", Input.QUERY));
        assertEquals("passage: Protein is ...", e5.apply("Protein is ...", Input.PASSAGE));
        assertEquals("how much protein", e5.apply("how much protein", Input.AS_IS));
        assertEquals("query: already", e5.apply("query: already", Input.QUERY), "not doubled");
        assertEquals("passage: query: odd", e5.apply("query: odd", Input.PASSAGE), "only its own prefix counts");
        assertEquals("text", Prefixes.NONE.apply("text", Input.PASSAGE), "models without prefixes");
    }

    @Test
    void e5SmallV2EmbedsQueriesAndPassagesWithTheirPrefixes() {
        FeatureExtraction fe = Models.embeddings(TestModels.folder("e5-small-v2").toString());
        assertEquals(new Prefixes("query: ", "passage: "), fe.prefixes(), "from the catalogue's card");
        String text = "how much protein should a female eat";
        Options options = Options.DEFAULT.withPooling(Pooling.MEAN);
        assertEquals(List.of("[CLS]", "query", ":", "how"), Arrays.asList(fe.encode(text, 0, options).tokens()).subList(0, 4));
        assertEquals(List.of("[CLS]", "passage", ":", "how"),
                Arrays.asList(fe.encode(text, 0, options.withInput(Input.PASSAGE)).tokens()).subList(0, 4));
        assertEquals(List.of("[CLS]", "how"), Arrays.asList(fe.encode(text, 0, options.withInput(Input.AS_IS)).tokens()).subList(0, 2));

        float[] byDefault = fe.embed(text);
        float[] query = fe.extract(List.of(text), Options.DEFAULT.withInput(Input.QUERY)).getFirst().vector();
        float[] written = fe.extract(List.of("query: " + text), Options.DEFAULT.withInput(Input.AS_IS)).getFirst().vector();
        float[] prefixedTwice = fe.embed("query: " + text);
        float[] passage = fe.extract(List.of(text), Options.DEFAULT.withInput(Input.PASSAGE)).getFirst().vector();
        assertArrayEquals(query, byDefault, "query is the default");
        assertArrayEquals(written, query, "the same as writing the prefix oneself");
        assertArrayEquals(written, prefixedTwice, "a text that begins with the prefix is not prefixed again");
        assertFalse(Arrays.equals(query, passage), "passage differs");
        assertEquals(text, fe.extract(List.of(text), Options.DEFAULT).getFirst().text(), "the record keeps the caller's text");
        assertTrue(Similarity.cosine(query, passage) > 0.8, "same words either way");
    }

    @Test
    void modelsWithoutPrefixesIgnoreTheOption() {
        FeatureExtraction fe = Models.embeddings(TestModels.folder("all-MiniLM-L6-v2").toString());
        assertEquals(Prefixes.NONE, fe.prefixes());
        assertArrayEquals(fe.embed("a text"), fe.extract(List.of("a text"), Options.DEFAULT.withInput(Input.PASSAGE)).getFirst().vector());
    }
}
