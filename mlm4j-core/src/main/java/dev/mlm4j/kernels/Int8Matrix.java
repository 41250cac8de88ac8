package dev.mlm4j.kernels;

import dev.mlm4j.tensor.FloatTensor;

/**
 * A linear layer's weight quantised to int8 with one scale per output channel (symmetric, weight-only):
 * W[o][i] ≈ scale[o] · q[o][i], q = round(W[o][i] / scale[o]) in [−127, 127], scale[o] = max_i |W[o][i]| / 127.
 * Packed like {@link PackedMatrix}, in column panels {@link #NR} wide, each panel k-major, so {@link Int8Gemm}'s
 * micro-kernel reads one contiguous run of {@code in × NR} bytes per panel:
 * <pre>
 *   data[panel · in · NR + p · NR + c] = q[panel · NR + c][p]
 * </pre>
 * A quarter of the fp32 weight's memory. Immutable after packing; shared by all threads.
 */
public final class Int8Matrix {
    public static final int NR = PackedMatrix.NR;

    private final int in, out;
    private final byte[] data;    // (panels, in, NR)
    private final float[] scales; // (panels · NR): per output channel, zero-padded

    private Int8Matrix(int in, int out, byte[] data, float[] scales) {
        this.in = in;
        this.out = out;
        this.data = data;
        this.scales = scales;
    }

    /**
     * Quantises and packs PyTorch-layout weights {@code (out_i, in)}, concatenated along out (e.g. Q, K, V); each
     * may be row-major or a strided view ({@link FloatTensor#transposed()} of an {@code (in, out)} kernel).
     */
    public static Int8Matrix quantize(FloatTensor... weightsOutIn) {
        int in = -1, out = 0;
        for (FloatTensor w : weightsOutIn) {
            if (w.rank() != 2) throw new IllegalArgumentException("weight [out, in] must be rank 2, got " + w);
            if (in >= 0 && w.dim(1) != in) throw new IllegalArgumentException("all parts need the same in, got " + in + " and " + w.dim(1));
            in = w.dim(1);
            out += w.dim(0);
        }
        int panels = (out + NR - 1) / NR, k = in;
        long size = (long) panels * in * NR;
        if (size > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("packed weight too large: " + size + " bytes");
        byte[] dst = new byte[(int) size];
        float[] scales = new float[panels * NR];
        int rowsTotal = out;
        Parallel.forEach(panels, panel -> {
            for (int c = 0; c < NR && panel * NR + c < rowsTotal; c++) {
                int o = panel * NR + c, part = 0, r = o;
                while (r >= weightsOutIn[part].dim(0)) r -= weightsOutIn[part++].dim(0);
                FloatTensor w = weightsOutIn[part];
                float[] src = w.data();
                int s0 = w.rowOffset(r), sp = w.stride(1);
                float max = 0f;
                for (int p = 0; p < k; p++) max = Math.max(max, Math.abs(src[s0 + p * sp]));
                float scale = max / 127f;
                scales[o] = scale;
                float inv = scale == 0f ? 0f : 1f / scale;
                int base = panel * k * NR + c;
                for (int p = 0; p < k; p++) dst[base + p * NR] = (byte) Math.max(-127, Math.min(127, Math.round(src[s0 + p * sp] * inv)));
            }
        });
        return new Int8Matrix(in, out, dst, scales);
    }

    public int in() {
        return in;
    }

    public int out() {
        return out;
    }

    int panels() {
        return (out + NR - 1) / NR;
    }

    byte[] data() {
        return data;
    }

    float[] scales() {
        return scales;
    }

    /** q[o][i], the stored int8 value (for the reference kernel: W[o][i] ≈ {@link #scale}(o) · q[o][i]). */
    byte quantized(int o, int i) {
        return data[(o / NR) * in * NR + i * NR + o % NR];
    }

    /** The scale of output channel o. */
    float scale(int o) {
        return scales[o];
    }

    /** Bytes held (weights and scales). */
    public long bytes() {
        return data.length + 4L * scales.length;
    }

    /** The dequantised W[o][i] = scale[o] · q[o][i]. */
    public float weight(int o, int i) {
        if (o < 0 || o >= out || i < 0 || i >= in) throw new IndexOutOfBoundsException("(" + o + ", " + i + ") of [" + out + ", " + in + "]");
        return scales[o] * data[(o / NR) * in * NR + i * NR + o % NR];
    }

    @Override
    public String toString() {
        return "Int8Matrix[out=" + out + ", in=" + in + ", NR=" + NR + "]";
    }
}
