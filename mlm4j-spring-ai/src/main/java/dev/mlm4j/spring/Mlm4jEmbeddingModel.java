package dev.mlm4j.spring;

import dev.mlm4j.config.Precision;
import dev.mlm4j.pipelines.FeatureExtraction;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.pipelines.Pooling;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.BatchingStrategy;
import org.springframework.ai.embedding.Embedding;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingOptions;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.ai.embedding.EmbeddingResponseMetadata;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Spring AI's {@link EmbeddingModel} on an mlm4j embedding model, in process and in pure Java: the vectors are
 * exactly {@link FeatureExtraction}'s (the model's own pooling and normalisation, sentence-transformers' {@code encode}).
 * <pre>
 *   EmbeddingModel model = new Mlm4jEmbeddingModel("all-MiniLM-L6-v2");
 *   float[] v = model.embed("A man is playing a guitar.");
 * </pre>
 * In a Spring Boot application the bean comes from {@link Mlm4jEmbeddingAutoConfiguration} ({@code mlm4j.embedding.*}).
 * For a model trained with markers (e5-small-v2), {@link Document}s — what vector stores add — get its passage marker
 * and texts ({@link #embed(String)}, {@link #call}: queries) its query marker.
 * Thread-safe: Spring AI's vector stores call it from any thread.
 */
public class Mlm4jEmbeddingModel implements EmbeddingModel {

    private final String modelName;
    private final FeatureExtraction pipeline;
    private final FeatureExtraction.Options options;

    /**
     * A model of mlm4j's catalogue by name (downloaded once, then cached) or a model folder, at the process's precision;
     * texts over its working length are cut there, as with the auto-configuration's defaults.
     */
    public Mlm4jEmbeddingModel(String nameOrPath) {
        this(nameOrPath, Models.embeddings(nameOrPath), FeatureExtraction.Options.DEFAULT.withTruncate(true));
    }

    /** As {@link #Mlm4jEmbeddingModel(String)}, with the linear layers at {@code precision}. */
    public Mlm4jEmbeddingModel(String nameOrPath, Precision precision) {
        this(nameOrPath, Models.embeddings(nameOrPath, null, precision), FeatureExtraction.Options.DEFAULT.withTruncate(true));
    }

    /**
     * @param modelName the name the responses' metadata report (and requests may name)
     * @param pipeline  an mlm4j feature-extraction pipeline ({@link Models#embeddings})
     * @param options   truncation, maximum length and tokens per forward pass; pooling and normalisation must be
     *                  left to the model (null) so that the vectors are the model's sentence embeddings. Without
     *                  truncation or a maximum length, texts over the model's working length are refused.
     */
    public Mlm4jEmbeddingModel(String modelName, FeatureExtraction pipeline, FeatureExtraction.Options options) {
        this.modelName = Objects.requireNonNull(modelName, "modelName");
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(options, "options");
        // without truncation a text over the model's working length (256 for all-MiniLM-L6-v2) is refused, as
        // mlm4j.embedding.truncate says: FeatureExtraction's rule
        this.options = options;
        if (options.pooling() == Pooling.NONE) {
            throw new IllegalArgumentException("an EmbeddingModel gives one vector per text: pooling none (token vectors) cannot be used");
        }
    }

    /** The model's name or folder, as configured. */
    public String modelName() {
        return modelName;
    }

    /** The mlm4j pipeline behind this model. */
    public FeatureExtraction pipeline() {
        return pipeline;
    }

    @Override
    public EmbeddingResponse call(EmbeddingRequest request) {
        return call(request, FeatureExtraction.Input.QUERY);
    }

    /** The texts as {@code input}: for a model with prefixes (E5) its query or passage marker goes before each. */
    private EmbeddingResponse call(EmbeddingRequest request, FeatureExtraction.Input input) {
        check(request.getOptions());
        List<String> texts = request.getInstructions();
        // an input fixed by the constructor's options (e.g. AS_IS: no marker) stands for every call
        List<FeatureExtraction.Embedding> features = pipeline.extract(texts, options.input() != null ? options : options.withInput(input));
        List<Embedding> results = new ArrayList<>(features.size());
        int tokens = 0;
        for (FeatureExtraction.Embedding e : features) {
            results.add(new Embedding(e.vector(), e.index()));
            tokens += e.tokens().length;
        }
        return new EmbeddingResponse(results, new EmbeddingResponseMetadata(modelName, new DefaultUsage(tokens, 0, tokens)));
    }

    @Override
    public float[] embed(Document document) {
        return call(new EmbeddingRequest(List.of(text(document)), null), FeatureExtraction.Input.PASSAGE).getResult().getOutput();
    }

    /** The text Spring AI embeds for {@code document}; a document without one (media) is refused naming it. */
    private String text(Document document) {
        String text = getEmbeddingContent(document);
        if (text == null) throw new IllegalArgumentException("document " + document.getId() + " has no text to embed (a media document?)");
        return text;
    }

    /**
     * Documents as Spring AI's vector stores add them (this method, or {@link #embed(Document)}; their queries come
     * through {@link #embed(String)}): a model trained with markers gets its passage marker before each document's
     * text (e5-small-v2: {@code "passage: "}, its card's advice for the documents of a retrieval task), and queries
     * keep the query marker. Other models ignore it. Batches and order as Spring AI's default.
     */
    @Override
    public List<float[]> embed(List<Document> documents, EmbeddingOptions requestOptions, BatchingStrategy batchingStrategy) {
        Objects.requireNonNull(documents, "documents");
        List<float[]> embeddings = new ArrayList<>(documents.size());
        for (List<Document> batch : batchingStrategy.batch(documents)) {
            List<String> texts = new ArrayList<>(batch.size());
            for (Document d : batch) texts.add(text(d));
            for (Embedding e : call(new EmbeddingRequest(texts, requestOptions), FeatureExtraction.Input.PASSAGE).getResults()) {
                embeddings.add(e.getOutput());
            }
        }
        return embeddings;
    }

    /** The vectors' length (the model's hidden size), without running the model. */
    @Override
    public int dimensions() {
        return pipeline.dimension();
    }

    /** A request that asks for another model or another vector length fails rather than getting this model's vectors. */
    private void check(EmbeddingOptions requested) {
        if (requested == null) return;
        if (requested.getDimensions() != null && requested.getDimensions() != dimensions()) {
            throw new IllegalArgumentException("'" + modelName + "' gives vectors of " + dimensions()
                    + " dimensions, not " + requested.getDimensions());
        }
        if (requested.getModel() != null && !requested.getModel().equals(modelName)) {
            throw new IllegalArgumentException("this EmbeddingModel runs '" + modelName + "', not '" + requested.getModel() + "'");
        }
    }
}
