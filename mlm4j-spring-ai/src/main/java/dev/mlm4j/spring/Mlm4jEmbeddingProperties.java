package dev.mlm4j.spring;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code mlm4j.embedding.*}: which model the auto-configured {@link Mlm4jEmbeddingModel} runs and how.
 * <pre>
 *   mlm4j.embedding.model=all-MiniLM-L6-v2
 *   mlm4j.embedding.precision=int8
 *   mlm4j.embedding.batch-tokens=4096
 * </pre>
 */
@ConfigurationProperties("mlm4j.embedding")
public class Mlm4jEmbeddingProperties {

    /** A model of mlm4j's catalogue (e.g. all-MiniLM-L6-v2, bge-small-en-v1.5) or the path of a model folder. */
    private String model = "all-MiniLM-L6-v2";

    /** How the linear layers store their weights: fp32 (as the checkpoint) or int8 (a quarter of the memory). */
    private String precision = "fp32";

    /** Tokens per forward pass (texts are packed without padding); 0: mlm4j's default, 4096. */
    private int batchTokens = 0;

    /**
     * Cut texts longer than the model's working length (sentence-transformers' behaviour, and Spring AI's own in-process
     * model's) instead of failing; false refuses them.
     */
    private boolean truncate = true;

    /**
     * The longest a text may be, in tokens with [CLS] and [SEP], and where truncation cuts; 0: the model's working length
     * (256 for all-MiniLM-L6-v2); at most its position table (512).
     */
    private int maxLength = 0;

    public String getModel() { return model; }
    public void setModel(String model) { this.model = model; }
    public String getPrecision() { return precision; }
    public void setPrecision(String precision) { this.precision = precision; }
    public int getBatchTokens() { return batchTokens; }
    public void setBatchTokens(int batchTokens) { this.batchTokens = batchTokens; }
    public boolean isTruncate() { return truncate; }
    public void setTruncate(boolean truncate) { this.truncate = truncate; }
    public int getMaxLength() { return maxLength; }
    public void setMaxLength(int maxLength) { this.maxLength = maxLength; }
}
