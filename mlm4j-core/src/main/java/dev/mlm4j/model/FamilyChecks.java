package dev.mlm4j.model;

import dev.mlm4j.config.Batch;
import dev.mlm4j.weights.TensorInfo;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.WeightException;

import java.nio.file.Path;

/** The checks every {@link EncoderFamily} makes of config.json, tokenizer and weights, worded once. */
final class FamilyChecks {
    private FamilyChecks() {}

    /** Each {field, config.json's value, the weights' value}: the first that differs is an error at load. */
    static void sameSizes(TensorSource t, String[][] pairs) {
        for (String[] p : pairs) {
            if (!p[1].equals(p[2])) {
                throw new WeightException("config.json says " + p[0] + " = " + p[1] + " but the weights in " + t.origin() + " have " + p[2]);
            }
        }
    }

    /**
     * The tokenizer's vocabulary must fit the word-embedding table {@code words}: a longer one yields ids past the
     * table's end. A shorter one is how many real checkpoints are saved — deberta-v3-base's table has 128,100 rows for a
     * 128,001-token tokenizer, tables padded to a multiple of 8 or 64 — and transformers loads them; the extra rows are
     * never looked up, and fill-mask ranks only ids the tokenizer can name.
     */
    static void vocabularyFits(int vocabSize, Path vocabFile, TensorSource t, String words, String family) {
        TensorInfo word = require(t, words, family);
        if (vocabSize > word.shape()[0]) {
            throw new WeightException(vocabFile + " has " + vocabSize + " tokens but the word-embedding table"
                    + " (" + words + " in " + t.origin() + ") has " + word.shape()[0]
                    + " rows: the vocabulary does not belong to these weights (swapped file?)");
        }
    }

    /**
     * The scope of the base model's tensors: {@code prefix} (e.g. {@code roberta}) in a checkpoint saved from a model with
     * a head; a bare base model's checkpoint ({@code RobertaModel}: {@code embeddings.*}, {@code encoder.*}) has them
     * where every reader puts those names, under {@code bert.} ({@link dev.mlm4j.weights.CanonicalNames}).
     */
    static String basePrefix(TensorSource t, String prefix) {
        return t.containsAnyUnder(prefix + ".") ? prefix : "bert";
    }

    /** Every sequence of {@code batch} within the model's {@code maxPositions}, or a one-line error: a forward's first check. */
    static void fits(Batch batch, int maxPositions) {
        if (batch.maxLength() > maxPositions) {
            throw new IllegalArgumentException("a sequence of " + batch.maxLength() + " tokens is longer than the model's maximum of "
                    + maxPositions);
        }
    }

    /** Tensor {@code name}'s shape, or a one-line error saying the checkpoint is not of {@code family}. */
    static TensorInfo require(TensorSource t, String name, String family) {
        TensorInfo i = t.info(name);
        if (i == null) throw new WeightException("missing weight '" + name + "' in " + t.origin() + ": not a " + family + " checkpoint?");
        return i;
    }
}
