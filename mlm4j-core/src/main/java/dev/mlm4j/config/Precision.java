package dev.mlm4j.config;

import java.util.Locale;

/**
 * How a model's linear layers store their weights. {@link #FP32}: as the checkpoint has them (packed for the GEMM).
 * {@link #INT8}: quantised at load to int8 with one scale per output channel (weight-only; activations stay fp32),
 * a quarter of the memory, at a small cost in accuracy (docs/BENCHMARKS.md has the measured agreement with fp32).
 *
 * <p>Every load takes it as a parameter, from the model down to each {@link Linear}; {@link #fromProperty()} is the
 * process default ({@code -Dmlm4j.weights=fp32|int8}) for the loaders that are not told.
 */
public enum Precision {
    FP32, INT8;

    /** The process default: {@code -Dmlm4j.weights=fp32|int8} (fp32 when unset). */
    public static Precision fromProperty() {
        return parse(System.getProperty("mlm4j.weights", "fp32"));
    }

    public static Precision parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "fp32", "float32", "f32" -> FP32;
            case "int8", "i8" -> INT8;
            default -> throw new IllegalArgumentException("mlm4j.weights must be fp32 or int8, got '" + s + "'");
        };
    }
}
