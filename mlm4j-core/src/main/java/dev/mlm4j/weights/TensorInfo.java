package dev.mlm4j.weights;

import java.util.Arrays;

/** What a checkpoint says about one tensor, before its data is read. */
public record TensorInfo(String name, DType dtype, int[] shape) {

    public long elements() {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}
