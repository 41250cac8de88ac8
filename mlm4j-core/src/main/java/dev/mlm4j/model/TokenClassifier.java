package dev.mlm4j.model;

import dev.mlm4j.tensor.FloatTensor;

/** An encoder with a per-token classifier (transformers' {@code *ForTokenClassification}): what token classification (NER) runs. */
public interface TokenClassifier {
    /** The encoder the classifier sits on. */
    Encoder encoder();

    /** How many labels each token is scored over (the classifier's rows). */
    int numLabels();

    /** Logits (T, numLabels): one row per packed row of {@code output.lastHiddenState()}. */
    FloatTensor logits(EncoderOutput output);
}
