package dev.mlm4j.langchain4j;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.request.EmbeddingInputType;
import dev.langchain4j.model.embedding.request.EmbeddingRequest;
import dev.langchain4j.model.embedding.response.EmbeddingResponse;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.retriever.EmbeddingStoreContentRetriever;
import dev.langchain4j.rag.query.Query;
import dev.langchain4j.store.embedding.EmbeddingStoreIngestor;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import dev.mlm4j.pipelines.FeatureExtraction;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What LangChain4j's own contracts promise a user of {@link Mlm4jEmbeddingModel}, beyond the vectors (RetrievalTest). */
class EmbeddingContractTest {

    /**
     * LangChain4j 1.19's per-call input type ({@code EmbeddingRequestParameters.INPUT_TYPE}, which its ingestor and
     * retriever send) reaches a model trained with markers: E5's card asks for {@code "passage: "} before documents and
     * {@code "query: "} before queries, so a DOCUMENT request is the embedding of the text with "passage: " in front.
     * Before, the request was refused (UnsupportedFeatureException), and everything got "query: ".
     */
    @Test
    void aDocumentRequestGetsE5sPassagePrefixAndAQueryRequestItsQueryPrefix() {
        Mlm4jEmbeddingModel model = Mlm4jEmbeddingModel.of("e5-small-v2");
        FeatureExtraction.Options asIs = FeatureExtraction.Options.DEFAULT.withInput(FeatureExtraction.Input.AS_IS);
        String text = "The Eiffel Tower is 330 metres tall.";
        float[] passage = model.pipeline().extract(List.of("passage: " + text), asIs).getFirst().vector();
        float[] query = model.pipeline().extract(List.of("query: " + text), asIs).getFirst().vector();

        EmbeddingResponse document = model.embed(EmbeddingRequest.builder().input(text).inputType(EmbeddingInputType.DOCUMENT).build());
        assertArrayEquals(passage, document.embeddings().getFirst().vector(), 1e-6f);
        assertEquals("e5-small-v2", document.metadata().modelName());
        assertEquals(model.estimateTokenCountInText(text), document.metadata().tokenUsage().inputTokenCount(), "E5's two markers are two pieces each");
        EmbeddingResponse asked = model.embed(EmbeddingRequest.builder().input(text).inputType(EmbeddingInputType.QUERY).build());
        assertArrayEquals(query, asked.embeddings().getFirst().vector(), 1e-6f);
        assertArrayEquals(query, model.embed(text).content().vector(), 1e-6f, "no input type: the card's default, query");

        // LangChain4j's own ingestor and retriever, each with its input type: the store holds the passage vectors
        InMemoryEmbeddingStore<TextSegment> store = new InMemoryEmbeddingStore<>();
        EmbeddingStoreIngestor.builder().embeddingModel(model).embeddingStore(store).embeddingInputType(EmbeddingInputType.DOCUMENT)
                .build().ingest(Document.from(text));
        List<Content> hits = EmbeddingStoreContentRetriever.builder().embeddingStore(store).embeddingModel(model)
                .embeddingInputType(EmbeddingInputType.QUERY).maxResults(1).build().retrieve(Query.from("How tall is the Eiffel Tower?"));
        float[] q = model.pipeline().extract(List.of("query: How tall is the Eiffel Tower?"), asIs).getFirst().vector();
        double cos = 0;
        for (int i = 0; i < q.length; i++) cos += (double) q[i] * passage[i];
        assertEquals((cos + 1) / 2, ((Number) hits.getFirst().metadata().get(dev.langchain4j.rag.content.ContentMetadata.SCORE)).doubleValue(), 1e-5,
                "LangChain4j's relevance score of the query against the passage vector");
    }

    /**
     * The TokenCountEstimator counts what embedAll reports (its javadoc; RetrievalTest checks it for all-MiniLM-L6-v2),
     * E5's marker included: "query: hello world" is 4 word pieces (query, :, hello, world), so a splitter sized by the
     * estimate leaves room for it. Before, the estimate was 2 and a segment cut to the model's 512 came out 514 long.
     */
    @Test
    void theTokenEstimateOfAnE5TextCountsItsMarkerAsEmbedAllDoes() {
        Mlm4jEmbeddingModel model = Mlm4jEmbeddingModel.of("e5-small-v2");
        assertEquals(4, model.estimateTokenCountInText("hello world"));
        assertEquals(4, model.embedAll(List.of(TextSegment.from("hello world"))).tokenUsage().inputTokenCount());
        assertEquals(4, model.embed(EmbeddingRequest.builder().input("hello world").inputType(EmbeddingInputType.DOCUMENT).build())
                .metadata().tokenUsage().inputTokenCount(), "passage, :, hello, world");
        assertEquals(0, model.estimateTokenCountInText(""));
    }

    /**
     * {@code truncate(false)} refuses a text over the model's working length (256 tokens for all-MiniLM-L6-v2,
     * sentence-transformers' max_seq_length), as its documentation says. Before, only texts over the position table
     * (512) were refused: a 300-token text was embedded whole, a vector sentence-transformers never gives.
     */
    @Test
    void withoutTruncationATextOverTheWorkingLengthIsRefusedNotEmbeddedWhole() {
        Mlm4jEmbeddingModel strict = Mlm4jEmbeddingModel.builder().modelName("all-MiniLM-L6-v2").truncate(false).build();
        String text = String.join(" ", Collections.nCopies(298, "word"));      // "word" is one word piece: 300 tokens with [CLS] and [SEP]
        assertEquals(298, strict.estimateTokenCountInText(text));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> strict.embedAll(List.of(TextSegment.from("short"), TextSegment.from(text))));
        assertTrue(e.getMessage().startsWith("text 2 is 300 tokens, over the model's working length of 256"), e.getMessage());
        // one short of the limit still runs whole
        String fits = String.join(" ", Collections.nCopies(254, "word"));
        List<Embedding> ok = strict.embedAll(List.of(TextSegment.from(fits))).content();
        assertEquals(1, ok.size());
    }
}
