package dev.mlm4j.kernels;

import dev.mlm4j.tensor.FloatTensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A linear layer's weight, packed once at load into the layout {@link Gemm} streams: B = Wᵀ (in, out)
 * cut into column panels {@link #NR} wide, each panel stored k-major, so the micro-kernel reads one
 * contiguous run of {@code in × NR} floats per panel and any k-block of it is contiguous too.
 *
 * <pre>
 *   data[panel · in · NR + p · NR + c] = B[p][panel · NR + c] = W[panel · NR + c][p]
 * </pre>
 *
 * The last panel is zero-padded to NR columns. Immutable after packing and shared by all threads; training instead packs
 * its changing weights just before each GEMM into a buffer of the calling thread ({@link #packScratch}).
 *
 * <p>The floats live in one of two places: a heap array (packed in this process), or a read-only mapping of the
 * {@link PackedCache} file, little-endian, used where it lies — no heap copy, no allocation at load ({@link #mapped()};
 * {@link Gemm} runs {@link MappedKernels} on those).
 */
public final class PackedMatrix {
    /** Panel width in floats: two vectors of the preferred species (32 on AVX-512, 16 on AVX2). */
    public static final int NR = 2 * VectorKernels.L;

    private final int in;      // rows of B = columns of W
    private final int out;     // columns of B = rows of W
    private final float[] data;          // (panels, in, NR), or null when mapped
    private final MemorySegment mapped;  // the same floats little-endian in the cache file's mapping, or null

    private PackedMatrix(int in, int out, float[] data) {
        this.in = in;
        this.out = out;
        this.data = data;
        this.mapped = null;
    }

    private PackedMatrix(int in, int out, MemorySegment mapped) {
        this.in = in;
        this.out = out;
        this.data = null;
        this.mapped = mapped;
    }

    /**
     * Packs a PyTorch-layout weight {@code w (out, in)} (the linear layer computes x · Wᵀ). {@code w} may be a
     * row-major tensor or a transposed view of an {@code (in, out)} one ({@link FloatTensor#transposed()}).
     */
    public static PackedMatrix pack(FloatTensor weightOutIn) {
        return packOutIn(new FloatTensor[] {weightOutIn}, "weight [out, in]");
    }

    /**
     * Packs several PyTorch-layout weights {@code (out_i, in)} as one {@code (Σ out_i, in)} matrix, so one
     * GEMM computes them all: e.g. query, key and value into one 3·hidden wide output.
     */
    public static PackedMatrix packConcat(FloatTensor... weightsOutIn) {
        if (weightsOutIn.length == 0) throw new IllegalArgumentException("packConcat needs at least one weight");
        return packOutIn(weightsOutIn, "weights [out_i, in]");
    }

    /**
     * Packs a weight already in {@code (in, out)} layout (ONNX MatMul initializers, TensorFlow kernels):
     * the same matrix B = Wᵀ without transposing twice.
     */
    public static PackedMatrix packInOut(FloatTensor weightInOut) {
        return packInOut(weightInOut, false);
    }

    /** {@link #packInOut} into new floats, or into the calling thread's buffer ({@link #packInOutScratch}). */
    private static PackedMatrix packInOut(FloatTensor weightInOut, boolean intoScratch) {
        ScalarKernels.requireUnitStride(weightInOut);
        if (weightInOut.rank() != 2) throw new IllegalArgumentException("weight [in, out] must be rank 2, got " + weightInOut);
        int in = weightInOut.dim(0), out = weightInOut.dim(1);
        float[] dst = intoScratch ? scratch(in, out) : new float[checkedSize(panels(out), in)];
        return new PackedMatrix(in, out, packInOut(weightInOut, dst));
    }

    /**
     * Row by row: each row p of the (in, out) source is read once, in order, its NR-wide runs written to row p of every
     * panel (one write stream a panel). Panel by panel (a column slice of every row, 128 bytes at a stride of a row)
     * the same copy ran 1.2–1.6× slower at bert-base's shapes (training packs Wᵀ so before every dx GEMM).
     */
    private static float[] packInOut(FloatTensor weightInOut, float[] dst) {
        int in = weightInOut.dim(0), out = weightInOut.dim(1);
        int panels = panels(out);
        float[] src = weightInOut.data();
        int per = Gemm.ceilDiv(in, tasks(panels, in)), tasks = Gemm.ceilDiv(in, per);
        Parallel.forEach(tasks, t -> {
            for (int p = t * per, end = Math.min(in, p + per); p < end; p++) {
                int s = weightInOut.rowOffset(p);
                for (int panel = 0, j = 0; panel < panels; panel++, j += NR) {
                    System.arraycopy(src, s + j, dst, panel * in * NR + p * NR, Math.min(NR, out - j));
                }
            }
        });
        return dst;
    }

    // ---- training: packed just before use, into one buffer per thread --------------------------------------

    /**
     * The calling thread's packing buffer, grown to the largest matrix it has packed. A trained weight changes at every
     * optimiser step, so a packed copy kept beside its fp32 master would be packed again every step anyway; packing it
     * just before its GEMM into a buffer every layer shares is the same copy, and keeps one layout of the weights
     * resident (the master) instead of three (the master, W packed, Wᵀ packed: llm.c keeps one too). One buffer per
     * thread, so two threads training or evaluating at once never pack into each other's GEMM.
     */
    private static final ThreadBuffer SCRATCH = new ThreadBuffer();

    /**
     * {@code weightOutIn} (out, in) packed into the calling thread's buffer: valid until this thread's next
     * {@code packScratch}/{@link #packInOutScratch}, so it is for one GEMM right away (training's forward), never to keep.
     * The floats are those {@link #pack} makes (the padding zero), so the GEMM computes the same bits.
     */
    public static PackedMatrix packScratch(FloatTensor weightOutIn) {
        FloatTensor[] parts = {weightOutIn};
        int[] inOut = inOut(parts, "weight [out, in]");
        int in = inOut[0], out = inOut[1];
        return new PackedMatrix(in, out, packOutIn(parts, in, out, scratch(in, out)));
    }

    /** {@link #packInOut} into the calling thread's buffer, as {@link #packScratch}: training's Wᵀ for dx = dy · W, used at once. */
    public static PackedMatrix packInOutScratch(FloatTensor weightInOut) {
        return packInOut(weightInOut, true);
    }

    /** The thread's buffer, at least the packed size of an (out, in) weight, its last panel's padding zeroed (earlier use left floats there). */
    private static float[] scratch(int in, int out) {
        float[] dst = SCRATCH.get(checkedSize(panels(out), in));
        int cols = out - (panels(out) - 1) * NR, base = (panels(out) - 1) * in * NR;
        if (cols < NR) for (int p = 0; p < in; p++) java.util.Arrays.fill(dst, base + p * NR + cols, base + p * NR + NR, 0f);
        return dst;
    }

    private static PackedMatrix packOutIn(FloatTensor[] parts, String what) {
        int[] inOut = inOut(parts, what);
        int in = inOut[0], out = inOut[1];
        return new PackedMatrix(in, out, packOutIn(parts, in, out, new float[checkedSize(panels(out), in)]));
    }

    /** The (in, Σ out_i) of PyTorch-layout parts, checked: rank 2, a unit stride, the same in. */
    private static int[] inOut(FloatTensor[] parts, String what) {
        int in = -1, out = 0;
        for (FloatTensor w : parts) {
            if (w.rank() != 2) throw new IllegalArgumentException(what + " must be rank 2, got " + w);
            if (w.stride(1) != 1 && w.stride(0) != 1) throw new IllegalArgumentException(what + " needs unit stride along in or along out: " + w);
            if (in >= 0 && w.dim(1) != in) {
                throw new IllegalArgumentException(what + ": all parts need the same in, got " + in + " and " + w.dim(1));
            }
            in = w.dim(1);
            out += w.dim(0);
        }
        return new int[] {in, out};
    }

    private static float[] packOutIn(FloatTensor[] parts, int in, int out, float[] dst) {
        int panels = panels(out);
        int rows = out, k = in;
        int tasks = tasks(panels, in);
        Parallel.forEach(tasks, t -> {
            for (int panel = t; panel < panels; panel += tasks) {
                int base = panel * k * NR, c = 0, cols = Math.min(NR, rows - panel * NR);
                while (c < cols) {
                    // the run of this panel's rows that comes from one part: rows [r0, r0 + len) of part
                    int r0 = panel * NR + c, part = 0;
                    while (r0 >= parts[part].dim(0)) r0 -= parts[part++].dim(0);
                    FloatTensor w = parts[part];
                    int len = Math.min(cols - c, w.dim(0) - r0), ld = w.stride(0), sp = w.stride(1), s0 = w.rowOffset(r0);
                    float[] src = w.data();
                    if (ld == 1) {
                        // a transposed (in, out) view: the run is contiguous for each p
                        for (int p = 0; p < k; p++) System.arraycopy(src, s0 + p * sp, dst, base + p * NR + c, len);
                    } else {
                        // unit stride along in (inOut checked one of the two): the len rows transposed into the panel,
                        // L at a time by gathers (element by element this was 1.3 % of a bert-base training step,
                        // which packs every weight so before each forward GEMM)
                        VectorKernels.transpose(src, s0, ld, len, k, dst, base + c, NR);
                    }
                    c += len;
                }
            }
        });
        return dst;
    }

    /** A matrix already in the packed layout ({@link PackedCache}): {@code data} is taken as it is, not copied. */
    static PackedMatrix ofPacked(int in, int out, float[] data) {
        if (in <= 0 || out <= 0 || data.length != packedSize(in, out)) {
            throw new IllegalArgumentException(data.length + " packed floats for a [" + out + ", " + in + "] weight");
        }
        return new PackedMatrix(in, out, data);
    }

    /**
     * A matrix whose packed floats are {@code segment} (little-endian, {@link #packedSize} of them), read where they lie:
     * a slice of {@link PackedCache}'s mapping. The segment must stay unchanged while the matrix is used.
     */
    static PackedMatrix ofMapped(int in, int out, MemorySegment segment) {
        if (in <= 0 || out <= 0 || segment.byteSize() != Float.BYTES * packedSize(in, out)) {
            throw new IllegalArgumentException(segment.byteSize() + " packed bytes for a [" + out + ", " + in + "] weight");
        }
        return new PackedMatrix(in, out, segment);
    }

    /** How many floats the packed layout of an {@code (out, in)} weight holds (the last panel zero-padded). */
    static long packedSize(int in, int out) {
        return (long) panels(out) * in * NR;
    }

    private static int panels(int out) {
        return (out + NR - 1) / NR;
    }

    /** Round-robin over panels: a few tasks per thread, none smaller than ~64K floats. */
    private static int tasks(int panels, int in) {
        long floats = (long) panels * in * NR;
        return (int) Math.max(1, Math.min(panels, Math.min(4L * Parallel.threads(), floats >> 16)));
    }

    private static int checkedSize(int panels, int in) {
        long n = (long) panels * in * NR;
        if (n > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("packed weight too large: " + n + " floats");
        return (int) n;
    }

    /** Input features: columns of W, the k of the GEMM. */
    public int in() {
        return in;
    }

    /** Output features: rows of W. */
    public int out() {
        return out;
    }

    /**
     * The first {@code outputs} outputs of this matrix, sharing its floats: whole panels (a multiple of {@link #NR}), as
     * query | key are of a fused query | key | value, so a GEMM can skip the rest.
     */
    public PackedMatrix leading(int outputs) {
        if (outputs <= 0 || outputs > out || outputs % NR != 0) {
            throw new IllegalArgumentException("leading " + outputs + " of " + out + " outputs: must be a positive multiple of " + NR);
        }
        return data != null ? new PackedMatrix(in, outputs, data) : new PackedMatrix(in, outputs, mapped);
    }

    /** Number of NR-wide column panels. */
    int panels() {
        return panels(out);
    }

    /** The packed floats (read-only by contract), or null when they are {@link #mapped()}. */
    float[] data() {
        return data;
    }

    /** The packed floats as a little-endian segment of the cache file's mapping, or null when they are a heap array ({@link #data()}). */
    MemorySegment mapped() {
        return mapped;
    }

    /** A packed float as the cache file and its mapping hold it. */
    static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The packed floats, copied into a new array wherever they live (tests; the cache's writer). */
    float[] toArray() {
        return data != null ? data.clone() : mapped.toArray(F32_LE);
    }

    /** W (out, in) read back from the packed layout, row-major: training's master copy of a loaded weight. */
    public FloatTensor unpacked() {
        float[] packed = data != null ? data : toArray();
        FloatTensor w = FloatTensor.zeros(out, in);
        float[] d = w.data();
        for (int o = 0; o < out; o++) {
            int base = (o / NR) * in * NR + o % NR;
            for (int i = 0; i < in; i++) d[o * in + i] = packed[base + i * NR];
        }
        return w;
    }

    /** Element W[o][i] read back from the packed layout (for tests and debugging). */
    public float weight(int o, int i) {
        if (o < 0 || o >= out || i < 0 || i >= in) throw new IndexOutOfBoundsException("(" + o + ", " + i + ") of [" + out + ", " + in + "]");
        long at = (long) (o / NR) * in * NR + (long) i * NR + o % NR;
        return data != null ? data[(int) at] : mapped.getAtIndex(F32_LE, at);
    }

    @Override
    public String toString() {
        return "PackedMatrix[out=" + out + ", in=" + in + ", NR=" + NR + (mapped != null ? ", mapped" : "") + "]";
    }
}
