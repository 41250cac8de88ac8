package dev.mlm4j.spring;

import dev.mlm4j.config.Precision;
import dev.mlm4j.pipelines.FeatureExtraction;
import dev.mlm4j.pipelines.Models;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Spring Boot auto-configuration: an {@link EmbeddingModel} bean ({@link Mlm4jEmbeddingModel}) from
 * {@code mlm4j.embedding.*} ({@link Mlm4jEmbeddingProperties}), unless the application defines its own EmbeddingModel.
 * The model is loaded (and on first use downloaded) when the context starts, so a wrong name fails the start.
 */
@AutoConfiguration
@EnableConfigurationProperties(Mlm4jEmbeddingProperties.class)
public class Mlm4jEmbeddingAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(EmbeddingModel.class)
    public Mlm4jEmbeddingModel mlm4jEmbeddingModel(Mlm4jEmbeddingProperties properties) {
        Precision precision;
        try {
            precision = Precision.parse(properties.getPrecision());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("mlm4j.embedding.precision must be fp32 or int8, got '" + properties.getPrecision() + "'");
        }
        FeatureExtraction.Options options = FeatureExtraction.Options.DEFAULT
                .withBatchTokens(properties.getBatchTokens())
                .withTruncate(properties.isTruncate())
                .withMaxLength(properties.getMaxLength());
        FeatureExtraction pipeline = Models.embeddings(properties.getModel(), null, precision);
        return new Mlm4jEmbeddingModel(properties.getModel(), pipeline, options);
    }
}
