package dev.mlm4j.spring;

import dev.mlm4j.config.Precision;
import dev.mlm4j.pipelines.FeatureExtraction;
import dev.mlm4j.pipelines.Models;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.model.SpringAIModelProperties;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Spring Boot auto-configuration: an {@link EmbeddingModel} bean ({@link Mlm4jEmbeddingModel}) from
 * {@code mlm4j.embedding.*} ({@link Mlm4jEmbeddingProperties}), unless the application defines its own EmbeddingModel.
 * The model is loaded (and on first use downloaded) when the context starts, so a wrong name fails the start.
 *
 * <p>As Spring AI's own model auto-configurations, it steps aside when {@code spring.ai.model.embedding} names another
 * provider ({@code openai}, {@code transformers}, …; {@code none} for no embedding model): the property by which a
 * Spring AI application with several model starters picks its embedding model. Unset or {@code mlm4j}: this one.
 */
@AutoConfiguration
@EnableConfigurationProperties(Mlm4jEmbeddingProperties.class)
@ConditionalOnProperty(name = Mlm4jEmbeddingAutoConfiguration.SELECTOR, havingValue = Mlm4jEmbeddingAutoConfiguration.PROVIDER, matchIfMissing = true)
public class Mlm4jEmbeddingAutoConfiguration {

    /** Spring AI's property naming the embedding model's provider ({@code SpringAIModelProperties.EMBEDDING_MODEL}). */
    public static final String SELECTOR = SpringAIModelProperties.EMBEDDING_MODEL;

    /** This provider's value of {@link #SELECTOR}. */
    public static final String PROVIDER = "mlm4j";

    @Bean
    @ConditionalOnMissingBean(EmbeddingModel.class)
    public Mlm4jEmbeddingModel mlm4jEmbeddingModel(Mlm4jEmbeddingProperties properties) {
        Precision precision;
        try {
            precision = Precision.parse(properties.getPrecision());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("mlm4j.embedding.precision must be fp32 or int8, got '" + properties.getPrecision() + "'");
        }
        // each bad value fails the start with its property named, not a bare "max length …" (or only at the first request)
        if (properties.getBatchTokens() < 0) {
            throw new IllegalArgumentException("mlm4j.embedding.batch-tokens must be 0 (mlm4j's default) or more, got " + properties.getBatchTokens());
        }
        int maxLength = properties.getMaxLength();
        if (maxLength != 0 && maxLength < 2) {
            throw new IllegalArgumentException("mlm4j.embedding.max-length must be 0 (the model's limit) or at least 2 ([CLS] and [SEP]), got " + maxLength);
        }
        FeatureExtraction.Options options = FeatureExtraction.Options.DEFAULT
                .withBatchTokens(properties.getBatchTokens())
                .withTruncate(properties.isTruncate())
                .withMaxLength(maxLength);
        FeatureExtraction pipeline = Models.embeddings(properties.getModel(), null, precision);
        if (maxLength > pipeline.maxTokens()) {
            throw new IllegalArgumentException("mlm4j.embedding.max-length is " + maxLength + ", over the maximum of '" + properties.getModel()
                    + "', " + pipeline.maxTokens() + " tokens (its position table)");
        }
        return new Mlm4jEmbeddingModel(properties.getModel(), pipeline, options);
    }
}
