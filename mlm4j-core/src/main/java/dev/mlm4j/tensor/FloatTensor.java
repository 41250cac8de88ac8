package dev.mlm4j.tensor;

import java.util.Arrays;

/**
 * A float32 tensor: a view (offset, shape, strides) over a heap {@code float[]}.
 *
 * <p>Tensors made by the factories are row-major and contiguous. Views ({@link #slice}, {@link #row},
 * {@link #columns}) share the storage, which is how multi-head attention addresses one head of Q
 * without copying: {@code q.columns(h * dHead, dHead)} is an {@code (n, dHead)} view with row stride
 * {@code hidden}. Kernels require unit stride along the last dimension; that is checked, not assumed.
 */
public final class FloatTensor {
    private final float[] data;
    private final int offset;
    private final int[] shape;
    private final int[] strides;

    private FloatTensor(float[] data, int offset, int[] shape, int[] strides) {
        this.data = data;
        this.offset = offset;
        this.shape = shape;
        this.strides = strides;
    }

    /** A new zero-filled, contiguous tensor. */
    public static FloatTensor zeros(int... shape) {
        return new FloatTensor(new float[checkedSize(shape)], 0, shape.clone(), rowMajorStrides(shape));
    }

    /** Wraps {@code data} (not copied) as a contiguous tensor of the given shape. */
    public static FloatTensor wrap(float[] data, int... shape) {
        int n = checkedSize(shape);
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n
                    + " elements, array has " + data.length);
        }
        return new FloatTensor(data, 0, shape.clone(), rowMajorStrides(shape));
    }

    /**
     * The first {@code size(shape)} elements of {@code data}, row-major, as a view: {@code data} may be longer
     * (a reused buffer).
     */
    public static FloatTensor wrapPrefix(float[] data, int... shape) {
        int n = checkedSize(shape);
        if (n > data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " elements, array has " + data.length);
        }
        return new FloatTensor(data, 0, shape.clone(), rowMajorStrides(shape));
    }

    /** A rank-2 tensor's transpose as a view (shape and strides swapped), no copy. */
    public FloatTensor transposed() {
        if (shape.length != 2) throw new IllegalStateException("transposed() of a rank-" + shape.length + " tensor");
        return new FloatTensor(data, offset, new int[] {shape[1], shape[0]}, new int[] {strides[1], strides[0]});
    }

    /** A contiguous {@code (rows, cols)} tensor copied from a rectangular {@code float[][]}. */
    public static FloatTensor of(float[][] rows) {
        int r = rows.length;
        int c = r == 0 ? 0 : rows[0].length;
        FloatTensor t = zeros(r, c);
        for (int i = 0; i < r; i++) {
            if (rows[i].length != c) {
                throw new IllegalArgumentException("ragged matrix: row 0 has " + c + " columns, row " + i
                        + " has " + rows[i].length);
            }
            System.arraycopy(rows[i], 0, t.data, i * c, c);
        }
        return t;
    }

    private static int checkedSize(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            n *= d;
            if (n > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("tensor too large: " + Arrays.toString(shape));
        }
        return (int) n;
    }

    private static int[] rowMajorStrides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    public int rank() { return shape.length; }

    public int dim(int i) { return shape[i < 0 ? shape.length + i : i]; }

    public int[] shape() { return shape.clone(); }

    public int stride(int i) { return strides[i < 0 ? strides.length + i : i]; }

    /** Number of elements. */
    public int size() {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    /** The backing array (shared). Together with {@link #offset()} and {@link #stride} it is what kernels read. */
    public float[] data() { return data; }

    public int offset() { return offset; }

    public boolean isContiguous() {
        return Arrays.equals(strides, rowMajorStrides(shape));
    }

    private int index(int[] idx) {
        if (idx.length != shape.length) {
            throw new IllegalArgumentException("rank " + shape.length + " tensor indexed with " + idx.length + " indices");
        }
        int p = offset;
        for (int i = 0; i < idx.length; i++) {
            if (idx[i] < 0 || idx[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(idx) + " out of shape " + Arrays.toString(shape));
            }
            p += idx[i] * strides[i];
        }
        return p;
    }

    public float get(int... idx) { return data[index(idx)]; }

    public void set(float v, int... idx) { data[index(idx)] = v; }

    /** 2-D fast path: element (i, j) without bounds checks beyond the array's own. */
    public float at(int i, int j) { return data[offset + i * strides[0] + j * strides[1]]; }

    /** Index of the first element of row {@code i} of a rank-2 tensor in {@link #data()}. */
    public int rowOffset(int i) { return offset + i * strides[0]; }

    /** Rows {@code [from, from + count)} along dimension 0, as a view. */
    public FloatTensor slice(int from, int count) {
        if (from < 0 || count < 0 || from + count > shape[0]) {
            throw new IndexOutOfBoundsException("slice [" + from + ", " + (from + count) + ") of dim " + shape[0]);
        }
        int[] s = shape.clone();
        s[0] = count;
        return new FloatTensor(data, offset + from * strides[0], s, strides);
    }

    /** Element {@code i} along dimension 0 (rank drops by one), as a view. */
    public FloatTensor row(int i) {
        if (i < 0 || i >= shape[0]) throw new IndexOutOfBoundsException("row " + i + " of " + shape[0]);
        return new FloatTensor(data, offset + i * strides[0],
                Arrays.copyOfRange(shape, 1, shape.length), Arrays.copyOfRange(strides, 1, strides.length));
    }

    /** Columns {@code [from, from + count)} of a rank-2 tensor, as a view (one attention head of Q, K or V). */
    public FloatTensor columns(int from, int count) {
        if (shape.length != 2) throw new IllegalArgumentException("columns() needs rank 2, got " + Arrays.toString(shape));
        if (from < 0 || count < 0 || from + count > shape[1]) {
            throw new IndexOutOfBoundsException("columns [" + from + ", " + (from + count) + ") of dim " + shape[1]);
        }
        return new FloatTensor(data, offset + from * strides[1], new int[] {shape[0], count}, strides);
    }

    /**
     * A new (rows.length, width) matrix whose row i is this rank-2 tensor's row rows[i]: the rows a loss reads (the
     * labelled positions of an MLM batch, each sequence's [CLS]) out of a (T, width) activation.
     */
    public FloatTensor gatherRows(int[] rows) {
        if (shape.length != 2 || strides[1] != 1) throw new IllegalArgumentException("gatherRows() needs rank 2 with contiguous rows, got " + Arrays.toString(shape));
        int w = shape[1];
        FloatTensor to = zeros(rows.length, w);
        for (int i = 0; i < rows.length; i++) System.arraycopy(data, rowOffset(checkRow(rows[i])), to.data, i * w, w);
        return to;
    }

    /** The inverse of {@link #gatherRows}: {@code into}'s row rows[i] ← this tensor's row i; {@code into}'s other rows stay as they are. */
    public void scatterRows(int[] rows, FloatTensor into) {
        if (shape.length != 2 || into.shape.length != 2 || shape[0] != rows.length || shape[1] != into.shape[1] || strides[1] != 1 || into.strides[1] != 1) {
            throw new IllegalArgumentException("scatterRows() of " + Arrays.toString(shape) + " at " + rows.length + " rows into " + Arrays.toString(into.shape));
        }
        int w = shape[1];
        for (int i = 0; i < rows.length; i++) System.arraycopy(data, rowOffset(i), into.data, into.rowOffset(into.checkRow(rows[i])), w);
    }

    private int checkRow(int r) {
        if (r < 0 || r >= shape[0]) throw new IndexOutOfBoundsException("row " + r + " of " + shape[0]);
        return r;
    }

    /** Same elements, new shape; only for contiguous tensors. */
    public FloatTensor reshape(int... newShape) {
        if (!isContiguous()) throw new IllegalStateException("reshape of a non-contiguous view");
        if (checkedSize(newShape) != size()) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
        }
        return new FloatTensor(data, offset, newShape.clone(), rowMajorStrides(newShape));
    }

    /** A contiguous copy. */
    public FloatTensor copy() {
        if (isContiguous()) return new FloatTensor(Arrays.copyOfRange(data, offset, offset + size()), 0, shape.clone(), rowMajorStrides(shape));
        FloatTensor t = zeros(shape);
        float[] flat = t.data;
        if (shape.length == 2 && strides[1] == 1) {                  // a column view (a head of a fused projection): row by row
            for (int i = 0, n = shape[1]; i < shape[0]; i++) System.arraycopy(data, offset + i * strides[0], flat, i * n, n);
            return t;
        }
        int[] idx = new int[shape.length];
        for (int n = 0; n < flat.length; n++) {
            flat[n] = data[index(idx)];
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) break;
                idx[d] = 0;
            }
        }
        return t;
    }

    /** The elements in row-major order, copied. */
    public float[] toArray() {
        return isContiguous() ? Arrays.copyOfRange(data, offset, offset + size()) : copy().data;
    }

    /** Rank-2 tensor as {@code float[rows][cols]}, copied. */
    public float[][] toMatrix() {
        if (shape.length != 2) throw new IllegalArgumentException("toMatrix() needs rank 2, got " + Arrays.toString(shape));
        float[][] m = new float[shape[0]][shape[1]];
        for (int i = 0; i < shape[0]; i++) for (int j = 0; j < shape[1]; j++) m[i][j] = at(i, j);
        return m;
    }

    /** Throws unless this tensor has exactly {@code expected} as its shape; {@code what} names it in the message. */
    public FloatTensor requireShape(String what, int... expected) {
        if (!Arrays.equals(shape, expected)) {
            throw new IllegalArgumentException(what + ": expected shape " + Arrays.toString(expected) + ", got " + Arrays.toString(shape));
        }
        return this;
    }

    @Override
    public String toString() {
        return "FloatTensor" + Arrays.toString(shape);
    }
}
