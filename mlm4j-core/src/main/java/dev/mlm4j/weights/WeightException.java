package dev.mlm4j.weights;

/**
 * A checkpoint that cannot be read as it claims: missing tensor, wrong shape, corrupt or truncated
 * file. The message always names the file and, where there is one, the tensor.
 */
public class WeightException extends IllegalStateException {
    public WeightException(String message) {
        super(message);
    }

    public WeightException(String message, Throwable cause) {
        super(message, cause);
    }
}
