package dev.mlm4j.langchain4j;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.TokenCountEstimator;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.request.EmbeddingInput;
import dev.langchain4j.model.embedding.request.EmbeddingInputType;
import dev.langchain4j.model.embedding.request.EmbeddingParameter;
import dev.langchain4j.model.embedding.request.EmbeddingRequest;
import dev.langchain4j.model.embedding.request.EmbeddingRequestParameters;
import dev.langchain4j.model.embedding.response.EmbeddingResponse;
import dev.langchain4j.model.embedding.response.EmbeddingResponseMetadata;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.output.TokenUsage;
import dev.mlm4j.pipelines.FeatureExtraction;
import dev.mlm4j.pipelines.Models;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A LangChain4j {@link EmbeddingModel} on an mlm4j embedding model, in pure Java: any model of mlm4j's catalogue
 * (all-MiniLM-L6-v2, bge-small-en-v1.5, …) or a model folder, with the model's own pooling and normalisation
 * (from its card, as sentence-transformers: mean-pooled and L2-normalised for all-MiniLM-L6-v2).
 * <pre>
 *   EmbeddingModel model = Mlm4jEmbeddingModel.builder().modelName("all-MiniLM-L6-v2").build();
 *   Embedding e = model.embed("A man is playing a guitar.").content();
 * </pre>
 * As LangChain4j's in-process (ONNX) models: {@link #embedAll} returns the vectors in order with the
 * {@link TokenUsage} of the texts' word pieces ({@code [CLS]} and {@code [SEP]} not counted), {@link #dimension()}
 * is known without embedding anything, and the model is a {@link TokenCountEstimator} (its own tokenizer), for
 * {@code DocumentSplitters.recursive(maxTokens, overlap, model)}. A request's {@code inputType} (LangChain4j's
 * {@code EmbeddingInputType}, e.g. {@code EmbeddingStoreIngestor.builder().embeddingInputType(DOCUMENT)}) picks the
 * prefix of a model trained with one (e5-small-v2: {@code "passage: "} for documents, {@code "query: "} otherwise).
 *
 * <p><b>Batching.</b> Texts run in padding-free batches of about {@link Builder#batchTokens} tokens; a text's vector
 * does not depend on its batch. <b>Lengths.</b> A text longer than the model's working length (its card's, e.g. 256
 * tokens for all-MiniLM-L6-v2, as sentence-transformers' {@code max_seq_length}) is truncated there, as
 * sentence-transformers does; with {@link Builder#truncate truncate(false)} it is an {@link IllegalArgumentException}
 * naming the segment instead.
 *
 * <p>The model is loaded once per JVM and precision (shared with every other mlm4j pipeline of it). Thread-safe.
 */
public final class Mlm4jEmbeddingModel implements EmbeddingModel, TokenCountEstimator {

    private final FeatureExtraction pipeline;
    private final String modelName;
    private final FeatureExtraction.Options options;

    private Mlm4jEmbeddingModel(Builder b) {
        this.modelName = b.model();
        this.pipeline = Models.embeddings(modelName, b.progress, b.precision);
        // without truncation a text over the working length (256 for all-MiniLM-L6-v2) is refused: FeatureExtraction's rule
        this.options = FeatureExtraction.Options.DEFAULT.withTruncate(b.truncate).withBatchTokens(b.batchTokens);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The model of the catalogue named {@code name}, or the folder {@code name}, at fp32. */
    public static Mlm4jEmbeddingModel of(String name) {
        return builder().modelName(name).build();
    }

    @Override
    public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
        if (segments == null || segments.isEmpty()) throw new IllegalArgumentException("segments cannot be null or empty");
        List<String> texts = new ArrayList<>(segments.size());
        for (int i = 0; i < segments.size(); i++) {
            TextSegment s = segments.get(i);
            if (s == null) throw new IllegalArgumentException("segment " + (i + 1) + " is null");
            texts.add(s.text());
        }
        return embed(texts, null);
    }

    /**
     * LangChain4j's per-call {@link EmbeddingRequestParameters#INPUT_TYPE} (e.g. {@code EmbeddingStoreIngestor}'s and
     * {@code EmbeddingStoreContentRetriever}'s {@code embeddingInputType}): for a model trained with markers (E5)
     * {@link EmbeddingInputType#DOCUMENT} puts its passage prefix before each text and {@link EmbeddingInputType#QUERY}
     * (or none) its query prefix, as its card asks; other models ignore it.
     */
    @Override
    public Set<EmbeddingParameter<?>> supportedParameters() {
        return Set.of(EmbeddingRequestParameters.INPUT_TYPE);
    }

    @Override
    public EmbeddingResponse doEmbed(EmbeddingRequest request) {
        List<String> texts = new ArrayList<>(request.inputs().size());
        for (EmbeddingInput input : request.inputs()) texts.add(input.text());
        FeatureExtraction.Input input = request.inputType() == EmbeddingInputType.DOCUMENT ? FeatureExtraction.Input.PASSAGE
                : FeatureExtraction.Input.QUERY;
        Response<List<Embedding>> r = embed(texts, input);
        return EmbeddingResponse.builder().embeddings(r.content())
                .metadata(EmbeddingResponseMetadata.builder().modelName(modelName).tokenUsage(r.tokenUsage()).build()).build();
    }

    private Response<List<Embedding>> embed(List<String> texts, FeatureExtraction.Input input) {
        List<Embedding> out = new ArrayList<>(texts.size());
        int tokens = 0;
        for (FeatureExtraction.Embedding e : pipeline.extract(texts, options.withInput(input))) {
            out.add(Embedding.from(e.vector()));
            tokens += e.encoding().length() - 2;   // as LangChain4j's in-process models: [CLS] and [SEP] not counted
        }
        return Response.from(out, new TokenUsage(tokens));
    }

    /** The vectors' length (the model's hidden size), known without embedding anything. */
    @Override
    public int dimension() {
        return pipeline.dimension();
    }

    /** The name or folder the model was built with. */
    @Override
    public String modelName() {
        return modelName;
    }

    /** The longest text, in tokens with [CLS] and [SEP], that is embedded whole; longer ones are truncated (or refused). */
    public int maxTokens() {
        return pipeline.maxLength();
    }

    /** The mlm4j pipeline underneath, for what LangChain4j's interface does not reach (token vectors, other pooling). */
    public FeatureExtraction pipeline() {
        return pipeline;
    }

    /**
     * Word pieces of {@code text} by the model's own tokenizer, [CLS] and [SEP] not counted (as {@link #embedAll}'s token
     * usage): with the model's marker for a model trained with one (e5-small-v2's {@code "query: "}, two word pieces,
     * as long as its {@code "passage: "}), since the marker takes room in the model's length as the text's own tokens do.
     */
    @Override
    public int estimateTokenCountInText(String text) {
        if (text == null || text.isEmpty()) return 0;
        String marked = pipeline.prefixes().apply(text, FeatureExtraction.Input.QUERY);
        return pipeline.tokenizer().encode(marked, Integer.MAX_VALUE, false).length() - 2;
    }

    /** The word pieces of the message's text (a user message's text parts, a system, AI or tool result message's text). */
    @Override
    public int estimateTokenCountInMessage(ChatMessage message) {
        return switch (message) {
            case SystemMessage m -> estimateTokenCountInText(m.text());
            case AiMessage m -> estimateTokenCountInText(m.text());
            case ToolExecutionResultMessage m -> estimateTokenCountInText(m.text());
            case UserMessage m -> m.contents().stream().filter(c -> c instanceof TextContent)
                    .mapToInt(c -> estimateTokenCountInText(((TextContent) c).text())).sum();
            default -> 0;
        };
    }

    @Override
    public int estimateTokenCountInMessages(Iterable<ChatMessage> messages) {
        int n = 0;
        for (ChatMessage m : messages) n += estimateTokenCountInMessage(m);
        return n;
    }

    /** Builds a {@link Mlm4jEmbeddingModel}; only the model is required. */
    public static final class Builder extends Mlm4jModelBuilder<Builder> {
        private int batchTokens;
        private boolean truncate = true;

        private Builder() {}

        /** Tokens per forward pass (0: mlm4j's default, {@value FeatureExtraction#DEFAULT_BATCH_TOKENS}). */
        public Builder batchTokens(int batchTokens) {
            if (batchTokens < 0) throw new IllegalArgumentException("batch tokens must not be negative, got " + batchTokens);
            this.batchTokens = batchTokens;
            return this;
        }

        /** Truncate texts over the model's working length (the default), or refuse them with an exception. */
        public Builder truncate(boolean truncate) {
            this.truncate = truncate;
            return this;
        }

        /** Loads the model (once per JVM and precision). */
        public Mlm4jEmbeddingModel build() {
            return new Mlm4jEmbeddingModel(this);
        }
    }
}
