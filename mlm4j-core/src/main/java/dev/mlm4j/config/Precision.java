package dev.mlm4j.config;

import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * How a model's linear layers store their weights. {@link #FP32}: as the checkpoint has them (packed for the GEMM).
 * {@link #INT8}: quantised at load to int8 with one scale per output channel (weight-only; activations stay fp32),
 * a quarter of the memory, at a small cost in accuracy (docs/BENCHMARKS.md has the measured agreement with fp32).
 *
 * <p>The default comes from the system property {@code mlm4j.weights} ({@code fp32} or {@code int8}); a loader
 * chooses per model with {@link #loading}, which every {@link Linear} built inside the call (on that thread) follows.
 */
public enum Precision {
    FP32, INT8;

    private static final ScopedValue<Precision> LOADING = ScopedValue.newInstance();

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

    /** The precision linear layers built now take: the innermost {@link #loading}'s, else {@link #fromProperty()}. */
    public static Precision current() {
        return LOADING.isBound() ? LOADING.get() : fromProperty();
    }

    /** Runs {@code load} with every linear layer it builds stored at {@code p}. */
    public static <T> T loading(Precision p, Callable<T> load) {
        try {
            return ScopedValue.where(LOADING, p).call(load::call);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
}
