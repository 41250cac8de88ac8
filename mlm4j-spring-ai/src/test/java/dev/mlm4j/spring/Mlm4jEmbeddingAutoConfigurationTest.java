package dev.mlm4j.spring;

import dev.mlm4j.pipelines.FeatureExtraction;
import dev.mlm4j.pipelines.Models;
import org.junit.jupiter.api.Test;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingOptions;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.SimpleVectorStore;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The auto-configured EmbeddingModel in a real Spring Boot application (found through
 * META-INF/spring/...AutoConfiguration.imports, as in any Boot application), used by Spring AI's own SimpleVectorStore.
 * The reference vectors are mlm4j's FeatureExtraction (checked against sentence-transformers in mlm4j-core's tests).
 */
class Mlm4jEmbeddingAutoConfigurationTest {

    static final String MODEL = "all-MiniLM-L6-v2";

    /** Six topics, six sentences each; each query below has one sentence that answers it. */
    static final List<String> CORPUS = List.of(
            "Whisk the eggs with sugar until the mixture turns pale.",
            "Bake the bread at two hundred degrees for forty minutes.",
            "Simmer the tomato sauce slowly with garlic and basil.",
            "Knead the dough for ten minutes until it is smooth and elastic.",
            "Season the steak with salt and pepper before grilling it.",
            "Chop the onions finely and fry them in olive oil.",
            "Jupiter is the largest planet in the solar system.",
            "The Moon orbits the Earth roughly once every twenty-seven days.",
            "A light-year is the distance light travels in one year.",
            "Saturn's rings are made mostly of ice particles.",
            "The telescope revealed thousands of distant galaxies.",
            "Mars appears red because of iron oxide on its surface.",
            "The striker scored twice in the second half of the match.",
            "The goalkeeper saved a penalty in the final minute.",
            "The team won the league after a long unbeaten run.",
            "The referee showed the defender a red card for a reckless tackle.",
            "Fans filled the stadium hours before kick-off.",
            "The coach changed the formation at half-time.",
            "The function returns null when the list is empty.",
            "Java compiles source code to bytecode for the virtual machine.",
            "The garbage collector frees memory that is no longer referenced.",
            "A hash map gives constant-time lookups on average.",
            "Unit tests catch regressions before code is released.",
            "The compiler reported a missing semicolon on line twelve.",
            "The violinist played the concerto from memory.",
            "The choir sang a hymn in four-part harmony.",
            "She tuned her guitar before the concert began.",
            "The orchestra rehearsed the symphony all afternoon.",
            "The drummer kept a steady beat throughout the song.",
            "He practises scales on the piano every morning.",
            "Heavy rain is expected to flood low-lying roads tonight.",
            "A cold front will bring snow to the mountains.",
            "The heatwave pushed temperatures above forty degrees.",
            "Strong winds knocked down trees across the region.",
            "Fog reduced visibility on the motorway this morning.",
            "The forecast promises sunshine for the weekend.");

    @Configuration
    @EnableAutoConfiguration
    static class App {}

    @Test
    void aSpringBootApplicationGetsTheAutoConfiguredModelAndSearchesWithSimpleVectorStore() {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
                .properties("mlm4j.embedding.model=" + MODEL, "mlm4j.embedding.batch-tokens=256").run()) {
            EmbeddingModel model = context.getBean(EmbeddingModel.class);
            assertThat(model).isInstanceOf(Mlm4jEmbeddingModel.class);
            FeatureExtraction reference = Models.embeddings(MODEL);
            assertEquals(384, model.dimensions());

            // The vectors are mlm4j's, one text at a time or in batches of 256 tokens.
            List<float[]> vectors = model.embed(CORPUS);
            for (int i = 0; i < CORPUS.size(); i++) {
                assertArrayEquals(reference.embed(CORPUS.get(i)), vectors.get(i), 1e-6f, CORPUS.get(i));
            }
            assertArrayEquals(reference.embed(CORPUS.get(0)), model.embed(new Document(CORPUS.get(0))), 1e-6f);
            EmbeddingResponse response = model.call(new EmbeddingRequest(CORPUS.subList(0, 3), null));
            assertEquals(List.of(0, 1, 2), response.getResults().stream().map(e -> e.getIndex()).toList());
            assertEquals(MODEL, response.getMetadata().getModel());
            assertThat(response.getMetadata().getUsage().getPromptTokens()).isGreaterThan(3 * 2);

            SimpleVectorStore store = SimpleVectorStore.builder(model).build();
            store.add(CORPUS.stream().map(Document::new).toList());
            assertTopHit(store, reference, "Which planet is the biggest?", "Jupiter is the largest planet in the solar system.");
            assertTopHit(store, reference, "How long should the loaf stay in the oven?", "Bake the bread at two hundred degrees for forty minutes.");
            assertTopHit(store, reference, "Who stopped the spot kick?", "The goalkeeper saved a penalty in the final minute.");
            assertTopHit(store, reference, "How is memory reclaimed in the JVM?", "The garbage collector frees memory that is no longer referenced.");
            assertTopHit(store, reference, "Will it snow in the hills?", "A cold front will bring snow to the mountains.");
            assertTopHit(store, reference, "Which group of singers performed a hymn?", "The choir sang a hymn in four-part harmony.");
        }
    }

    /** The store's best hit for {@code query} is {@code expected}, scored with the cosine of mlm4j's own vectors. */
    private static void assertTopHit(SimpleVectorStore store, FeatureExtraction reference, String query, String expected) {
        List<Document> hits = store.similaritySearch(SearchRequest.builder().query(query).topK(3).build());
        assertEquals(3, hits.size());
        assertEquals(expected, hits.get(0).getText(), query);
        float[] q = reference.embed(query);
        for (Document hit : hits) {
            assertEquals(cosine(q, reference.embed(hit.getText())), hit.getScore(), 1e-5, hit.getText());
        }
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(Mlm4jEmbeddingAutoConfiguration.class));

    @Test
    void anApplicationsOwnEmbeddingModelWins() {
        runner.withUserConfiguration(OwnModel.class).run(context -> {
            assertThat(context).hasSingleBean(EmbeddingModel.class);
            assertThat(context).doesNotHaveBean(Mlm4jEmbeddingModel.class);
        });
    }

    @Test
    void aWrongPrecisionFailsTheStartWithThePropertyNamed() {
        runner.withPropertyValues("mlm4j.embedding.precision=fp16").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessage("mlm4j.embedding.precision must be fp32 or int8, got 'fp16'");
        });
    }

    @Test
    void aRequestForAnotherVectorLengthOrModelFailsRatherThanGettingTheseVectors() {
        Mlm4jEmbeddingModel model = new Mlm4jEmbeddingModel(MODEL);
        assertThatThrownBy(() -> model.call(new EmbeddingRequest(List.of("x"), EmbeddingOptions.builder().dimensions(768).build())))
                .hasMessage("'all-MiniLM-L6-v2' gives vectors of 384 dimensions, not 768");
        assertThatThrownBy(() -> model.call(new EmbeddingRequest(List.of("x"), EmbeddingOptions.builder().model("text-embedding-3-small").build())))
                .hasMessage("this EmbeddingModel runs 'all-MiniLM-L6-v2', not 'text-embedding-3-small'");
    }

    /**
     * Spring AI's switch between model providers, {@code spring.ai.model.embedding} (SpringAIModelProperties.EMBEDDING_MODEL,
     * which every Spring AI embedding auto-configuration is conditional on, with matchIfMissing): another provider's name
     * (or {@code none}) turns this one off, so an application with the OpenAI starter beside mlm4j's gets one
     * EmbeddingModel, the one it names. Before, mlm4j's model was created whatever the property said.
     */
    @Test
    void springAisModelSelectorPicksOrDropsThisProvider() {
        runner.withPropertyValues("spring.ai.model.embedding=openai").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(EmbeddingModel.class);
        });
        runner.withPropertyValues("spring.ai.model.embedding=none").run(context -> assertThat(context).doesNotHaveBean(EmbeddingModel.class));
        runner.withPropertyValues("spring.ai.model.embedding=mlm4j").run(context -> assertThat(context).hasSingleBean(Mlm4jEmbeddingModel.class));
        runner.run(context -> assertThat(context).hasSingleBean(Mlm4jEmbeddingModel.class));
    }

    /**
     * {@code mlm4j.embedding.truncate=false} fails a text over the model's working length, as the property says:
     * all-MiniLM-L6-v2's 256 tokens (sentence-transformers' max_seq_length). Before, only texts over the position table
     * (512) failed, and a 300-token text was embedded whole, a vector sentence-transformers never gives. The default
     * cuts it there, as sentence-transformers does (Spring AI's TokenTextSplitter makes 800-token chunks).
     */
    @Test
    void withoutTruncationATextOverTheWorkingLengthFailsAndWithItIsCutThere() {
        String text = String.join(" ", java.util.Collections.nCopies(298, "word"));   // one word piece each: 300 tokens with [CLS] and [SEP]
        runner.withPropertyValues("mlm4j.embedding.truncate=false").run(context -> {
            EmbeddingModel model = context.getBean(EmbeddingModel.class);
            assertThatThrownBy(() -> model.embed(text)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("text 1 is 300 tokens, over the model's working length of 256");
        });
        runner.run(context -> {
            EmbeddingModel model = context.getBean(EmbeddingModel.class);
            String cut = String.join(" ", java.util.Collections.nCopies(254, "word"));   // the first 256 tokens
            assertArrayEquals(model.embed(cut), model.embed(text), 1e-6f);
        });
    }

    /** Bad numbers fail the start with their property named, as a bad precision does (max-length over 512: not only at the first request). */
    @Test
    void badLengthsFailTheStartWithThePropertyNamed() {
        runner.withPropertyValues("mlm4j.embedding.max-length=600").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .hasMessage("mlm4j.embedding.max-length is 600, over the maximum of 'all-MiniLM-L6-v2', 512 tokens (its position table)");
        });
        runner.withPropertyValues("mlm4j.embedding.max-length=1").run(context -> assertThat(context.getStartupFailure()).rootCause()
                .hasMessage("mlm4j.embedding.max-length must be 0 (the model's limit) or at least 2 ([CLS] and [SEP]), got 1"));
        runner.withPropertyValues("mlm4j.embedding.batch-tokens=-1").run(context -> assertThat(context.getStartupFailure()).rootCause()
                .hasMessage("mlm4j.embedding.batch-tokens must be 0 (mlm4j's default) or more, got -1"));
    }

    /** A media document (Spring AI 2's Document holds text or media) is refused with one line, not a bare NullPointerException. */
    @Test
    void aDocumentWithoutTextIsRefusedWithItsId() {
        Mlm4jEmbeddingModel model = new Mlm4jEmbeddingModel(MODEL);
        Document image = new Document("img-1", new org.springframework.ai.content.Media(org.springframework.util.MimeTypeUtils.IMAGE_PNG,
                new org.springframework.core.io.ByteArrayResource(new byte[] {1, 2, 3})), java.util.Map.of());
        assertThatThrownBy(() -> model.embed(image)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("document img-1 has no text to embed (a media document?)");
    }

    /**
     * e5-small-v2's card: "passage: " before the documents of a retrieval task, "query: " before queries. Spring AI's
     * vector stores add documents through embed(Document) / embed(List&lt;Document&gt;, options, batching) and search
     * with embed(String): the store holds the vectors of "passage: " + text, and its scores are the cosines of the query
     * vector ("query: " + question) with them. Before, documents got "query: " too. The reference vectors are the model's
     * embeddings of the literally prefixed texts, with mlm4j's own prefixing off (AS_IS).
     */
    @Test
    void documentsGetE5sPassagePrefixAndQueriesItsQueryPrefix() {
        Mlm4jEmbeddingModel model = new Mlm4jEmbeddingModel("e5-small-v2");
        FeatureExtraction.Options asIs = FeatureExtraction.Options.DEFAULT.withInput(FeatureExtraction.Input.AS_IS);
        List<String> docs = CORPUS.subList(6, 12);
        List<FeatureExtraction.Embedding> passages = model.pipeline().extract(docs.stream().map(d -> "passage: " + d).toList(), asIs);
        assertArrayEquals(passages.get(0).vector(), model.embed(new Document(docs.get(0))), 1e-6f);
        List<float[]> batch = model.embed(docs.stream().map(Document::new).toList(), EmbeddingOptions.builder().build(),
                new org.springframework.ai.embedding.TokenCountBatchingStrategy());
        for (int i = 0; i < docs.size(); i++) assertArrayEquals(passages.get(i).vector(), batch.get(i), 1e-6f, docs.get(i));
        String question = "Which planet is the biggest?";
        float[] q = model.pipeline().extract(List.of("query: " + question), asIs).getFirst().vector();
        assertArrayEquals(q, model.embed(question), 1e-6f);

        SimpleVectorStore store = SimpleVectorStore.builder(model).build();
        store.add(docs.stream().map(Document::new).toList());
        List<Document> hits = store.similaritySearch(SearchRequest.builder().query(question).topK(2).build());
        assertEquals("Jupiter is the largest planet in the solar system.", hits.get(0).getText());
        for (Document hit : hits) {
            assertEquals(cosine(q, passages.get(docs.indexOf(hit.getText())).vector()), hit.getScore(), 1e-5, hit.getText());
        }
    }

    @Configuration
    static class OwnModel {
        @Bean
        EmbeddingModel own() {
            return new EmbeddingModel() {
                @Override
                public EmbeddingResponse call(EmbeddingRequest request) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public float[] embed(Document document) {
                    throw new UnsupportedOperationException();
                }
            };
        }
    }
}
