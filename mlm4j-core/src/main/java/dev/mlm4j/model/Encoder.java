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

    /**
     * Whether a sequence's outputs depend on the other sequences of its forward pass: true for a model from an int8
     * file of ONNX Runtime's dynamic quantization, whose linear layers round their input with one scale per pass
     * ({@link dev.mlm4j.layers.Linear#quantizeInput}). Pipelines then run one sequence per pass, which is what ONNX
     * Runtime computes for each text run alone.
     */
    default boolean quantizesPerPass() {
        return false;
    }

    default EncoderOutput forward(Batch batch, ForwardOptions options) {
        return forward(Kernels.get(), batch, options);
    }
}
