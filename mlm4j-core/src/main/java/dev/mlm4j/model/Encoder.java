package dev.mlm4j.model;

import dev.mlm4j.config.Batch;
import dev.mlm4j.config.EncoderConfig;
import dev.mlm4j.kernels.Kernels;

/**
 * A bare encoder of any family (transformers' {@code BertModel}, …): packed token ids in, hidden states out.
 * What the embeddings pipeline, the explorer and the evaluations run. Immutable and shared by all threads.
 */
public interface Encoder {
    EncoderConfig config();

    EncoderOutput forward(Kernels k, Batch batch, ForwardOptions options);

    default EncoderOutput forward(Batch batch, ForwardOptions options) {
        return forward(Kernels.get(), batch, options);
    }
}
