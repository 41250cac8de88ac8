package dev.mlm4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * {@link MicroKernels}' register tiles with the panel {@code b} read from a memory segment instead of a float array:
 * the weights {@link PackedCache} maps from its file ({@code -Dmlm4j.packedCache.map=true}) and {@link Gemm} uses where
 * they lie ({@link PackedMatrix#mapped()}).
 * Line for line the same loops — the same FMAs in the same order, so the same bits as the array kernels
 * ({@code MappedGemmTest} compares them) — with the loads at byte offsets, little-endian as the file is.
 *
 * <p>A copy, not the array kernels taking a segment for both: one method that loaded vectors from heap segments (arrays
 * wrapped by {@code MemorySegment.ofArray}) and from native ones ran at half speed on a Zen 4 (56 against 112 GFLOP/s,
 * a 6 × 32 tile on cache-resident panels) — C2 compiles the load for the one kind of segment its profile saw. Each
 * copy here sees one kind: arrays in MicroKernels (packed at load, training's scratch, Int8Gemm's widened panels), the
 * file's mapping here. Reading a mapped panel ran at 0.96–0.99× the array one (same tile, 4 and 96 panels). Before C2
 * has compiled them these loops are slower than the array ones (each segment load goes through the Vector API's
 * element-by-element fallback), and C2 takes longer to compile them (206 against 80 ms for the 8-row tile's first
 * compile in a bert-base fill-mask): a process spends the time the mapping saves at load on that, and more on a
 * longer first input (docs/BENCHMARKS.md section 7, run 9) — why mapping is not the default.
 */
final class MappedKernels {
    private MappedKernels() {}

    static final VectorSpecies<Float> S = VectorKernels.S;
    static final int L = VectorKernels.L;
    static final int NR = PackedMatrix.NR;
    private static final long VECTOR_BYTES = (long) L * Float.BYTES;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** {@link #kernel}, or, for a 12-row tile of a block copied {@code interleaved}, the 12-row kernel reading it so. */
    static void kernel(boolean interleaved, int rows, float[] a, int ao, int lda, MemorySegment b, int bo, int kc, float[] c, int co, int ldc) {
        if (interleaved && rows == 12) kernel12i(a, ao, b, bo, kc, c, co, ldc);
        else kernel(rows, a, ao, lda, b, bo, kc, c, co, ldc);
    }

    /** c[co + r·ldc ..] (rows × NR) += Σ_p a[ao + r·lda + p] · b[bo + p·NR ..], p &lt; kc: the micro-kernel for {@code rows}. */
    static void kernel(int rows, float[] a, int ao, int lda, MemorySegment b, int bo, int kc, float[] c, int co, int ldc) {
        switch (rows) {
            case 12 -> kernel12(a, ao, lda, b, bo, kc, c, co, ldc);
            case 8 -> kernel8(a, ao, lda, b, bo, kc, c, co, ldc);
            case 6 -> kernel6(a, ao, lda, b, bo, kc, c, co, ldc);
            case 4 -> kernel4(a, ao, lda, b, bo, kc, c, co, ldc);
            case 2 -> kernel2(a, ao, lda, b, bo, kc, c, co, ldc);
            case 1 -> kernel1(a, ao, lda, b, bo, kc, c, co, ldc);
            default -> throw new AssertionError(rows);
        }
    }

    /**
     * 12 rows × NR: c[r] (NR floats at co + r·ldc) += Σ_p a[ao + r·lda + p] · b[bo + p·NR ..], p &lt; kc. 24 accumulators,
     * two panel vectors and a broadcast: 27 of AVX-512's 32 vector registers (AVX2 has 16: there MR stays 6).
     */
    static void kernel12(float[] a, int ao, int lda, MemorySegment b, int bo, int kc, float[] c, int co, int ldc) {
        int a0 = ao, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda, a6 = a5 + lda, a7 = a6 + lda, a8 = a7 + lda, a9 = a8 + lda, a10 = a9 + lda, a11 = a10 + lda;
        int c0 = co, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc, c5 = c4 + ldc, c6 = c5 + ldc, c7 = c6 + ldc, c8 = c7 + ldc, c9 = c8 + ldc, c10 = c9 + ldc, c11 = c10 + ldc;
        FloatVector s00 = FloatVector.fromArray(S, c, c0), s01 = FloatVector.fromArray(S, c, c0 + L);
        FloatVector s10 = FloatVector.fromArray(S, c, c1), s11 = FloatVector.fromArray(S, c, c1 + L);
        FloatVector s20 = FloatVector.fromArray(S, c, c2), s21 = FloatVector.fromArray(S, c, c2 + L);
        FloatVector s30 = FloatVector.fromArray(S, c, c3), s31 = FloatVector.fromArray(S, c, c3 + L);
        FloatVector s40 = FloatVector.fromArray(S, c, c4), s41 = FloatVector.fromArray(S, c, c4 + L);
        FloatVector s50 = FloatVector.fromArray(S, c, c5), s51 = FloatVector.fromArray(S, c, c5 + L);
        FloatVector s60 = FloatVector.fromArray(S, c, c6), s61 = FloatVector.fromArray(S, c, c6 + L);
        FloatVector s70 = FloatVector.fromArray(S, c, c7), s71 = FloatVector.fromArray(S, c, c7 + L);
        FloatVector s80 = FloatVector.fromArray(S, c, c8), s81 = FloatVector.fromArray(S, c, c8 + L);
        FloatVector s90 = FloatVector.fromArray(S, c, c9), s91 = FloatVector.fromArray(S, c, c9 + L);
        FloatVector s100 = FloatVector.fromArray(S, c, c10), s101 = FloatVector.fromArray(S, c, c10 + L);
        FloatVector s110 = FloatVector.fromArray(S, c, c11), s111 = FloatVector.fromArray(S, c, c11 + L);
        for (int p = 0, bp = bo; p < kc; p++, bp += NR) {
            FloatVector b0 = FloatVector.fromMemorySegment(S, b, 4L * bp, LE), b1 = FloatVector.fromMemorySegment(S, b, 4L * bp + VECTOR_BYTES, LE);
            FloatVector x0 = FloatVector.broadcast(S, a[a0 + p]);
            s00 = x0.fma(b0, s00);
            s01 = x0.fma(b1, s01);
            FloatVector x1 = FloatVector.broadcast(S, a[a1 + p]);
            s10 = x1.fma(b0, s10);
            s11 = x1.fma(b1, s11);
            FloatVector x2 = FloatVector.broadcast(S, a[a2 + p]);
            s20 = x2.fma(b0, s20);
            s21 = x2.fma(b1, s21);
            FloatVector x3 = FloatVector.broadcast(S, a[a3 + p]);
            s30 = x3.fma(b0, s30);
            s31 = x3.fma(b1, s31);
            FloatVector x4 = FloatVector.broadcast(S, a[a4 + p]);
            s40 = x4.fma(b0, s40);
            s41 = x4.fma(b1, s41);
            FloatVector x5 = FloatVector.broadcast(S, a[a5 + p]);
            s50 = x5.fma(b0, s50);
            s51 = x5.fma(b1, s51);
            FloatVector x6 = FloatVector.broadcast(S, a[a6 + p]);
            s60 = x6.fma(b0, s60);
            s61 = x6.fma(b1, s61);
            FloatVector x7 = FloatVector.broadcast(S, a[a7 + p]);
            s70 = x7.fma(b0, s70);
            s71 = x7.fma(b1, s71);
            FloatVector x8 = FloatVector.broadcast(S, a[a8 + p]);
            s80 = x8.fma(b0, s80);
            s81 = x8.fma(b1, s81);
            FloatVector x9 = FloatVector.broadcast(S, a[a9 + p]);
            s90 = x9.fma(b0, s90);
            s91 = x9.fma(b1, s91);
            FloatVector x10 = FloatVector.broadcast(S, a[a10 + p]);
            s100 = x10.fma(b0, s100);
            s101 = x10.fma(b1, s101);
            FloatVector x11 = FloatVector.broadcast(S, a[a11 + p]);
            s110 = x11.fma(b0, s110);
            s111 = x11.fma(b1, s111);
        }
        s00.intoArray(c, c0);
        s01.intoArray(c, c0 + L);
        s10.intoArray(c, c1);
        s11.intoArray(c, c1 + L);
        s20.intoArray(c, c2);
        s21.intoArray(c, c2 + L);
        s30.intoArray(c, c3);
        s31.intoArray(c, c3 + L);
        s40.intoArray(c, c4);
        s41.intoArray(c, c4 + L);
        s50.intoArray(c, c5);
        s51.intoArray(c, c5 + L);
        s60.intoArray(c, c6);
        s61.intoArray(c, c6 + L);
        s70.intoArray(c, c7);
        s71.intoArray(c, c7 + L);
        s80.intoArray(c, c8);
        s81.intoArray(c, c8 + L);
        s90.intoArray(c, c9);
        s91.intoArray(c, c9 + L);
        s100.intoArray(c, c10);
        s101.intoArray(c, c10 + L);
        s110.intoArray(c, c11);
        s111.intoArray(c, c11 + L);
    }

    /**
     * {@link MicroKernels#kernel12i}'s loop: {@link #kernel12} on a tile copied interleaved ({@code Gemm.copyBlock}): row r's input p at a[ao + 12·p + r], so the
     * broadcasts read one sequential stream. The same FMAs in the same order. A step parameter in kernel12 instead
     * (lda 1, step 12) cost the row-major calls 10–20 %: C2 no longer removed the twelve loads' range checks.
     */
    static void kernel12i(float[] a, int ao, MemorySegment b, int bo, int kc, float[] c, int co, int ldc) {
        int c0 = co, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc, c5 = c4 + ldc, c6 = c5 + ldc, c7 = c6 + ldc, c8 = c7 + ldc, c9 = c8 + ldc, c10 = c9 + ldc, c11 = c10 + ldc;
        FloatVector s00 = FloatVector.fromArray(S, c, c0), s01 = FloatVector.fromArray(S, c, c0 + L);
        FloatVector s10 = FloatVector.fromArray(S, c, c1), s11 = FloatVector.fromArray(S, c, c1 + L);
        FloatVector s20 = FloatVector.fromArray(S, c, c2), s21 = FloatVector.fromArray(S, c, c2 + L);
        FloatVector s30 = FloatVector.fromArray(S, c, c3), s31 = FloatVector.fromArray(S, c, c3 + L);
        FloatVector s40 = FloatVector.fromArray(S, c, c4), s41 = FloatVector.fromArray(S, c, c4 + L);
        FloatVector s50 = FloatVector.fromArray(S, c, c5), s51 = FloatVector.fromArray(S, c, c5 + L);
        FloatVector s60 = FloatVector.fromArray(S, c, c6), s61 = FloatVector.fromArray(S, c, c6 + L);
        FloatVector s70 = FloatVector.fromArray(S, c, c7), s71 = FloatVector.fromArray(S, c, c7 + L);
        FloatVector s80 = FloatVector.fromArray(S, c, c8), s81 = FloatVector.fromArray(S, c, c8 + L);
        FloatVector s90 = FloatVector.fromArray(S, c, c9), s91 = FloatVector.fromArray(S, c, c9 + L);
        FloatVector s100 = FloatVector.fromArray(S, c, c10), s101 = FloatVector.fromArray(S, c, c10 + L);
        FloatVector s110 = FloatVector.fromArray(S, c, c11), s111 = FloatVector.fromArray(S, c, c11 + L);
        for (int p = 0, bp = bo, ap = ao; p < kc; p++, bp += NR, ap += 12) {
            FloatVector b0 = FloatVector.fromMemorySegment(S, b, 4L * bp, LE), b1 = FloatVector.fromMemorySegment(S, b, 4L * bp + VECTOR_BYTES, LE);
            FloatVector x0 = FloatVector.broadcast(S, a[ap + 0]);
            s00 = x0.fma(b0, s00);
            s01 = x0.fma(b1, s01);
            FloatVector x1 = FloatVector.broadcast(S, a[ap + 1]);
            s10 = x1.fma(b0, s10);
            s11 = x1.fma(b1, s11);
            FloatVector x2 = FloatVector.broadcast(S, a[ap + 2]);
            s20 = x2.fma(b0, s20);
            s21 = x2.fma(b1, s21);
            FloatVector x3 = FloatVector.broadcast(S, a[ap + 3]);
            s30 = x3.fma(b0, s30);
            s31 = x3.fma(b1, s31);
            FloatVector x4 = FloatVector.broadcast(S, a[ap + 4]);
            s40 = x4.fma(b0, s40);
            s41 = x4.fma(b1, s41);
            FloatVector x5 = FloatVector.broadcast(S, a[ap + 5]);
            s50 = x5.fma(b0, s50);
            s51 = x5.fma(b1, s51);
            FloatVector x6 = FloatVector.broadcast(S, a[ap + 6]);
            s60 = x6.fma(b0, s60);
            s61 = x6.fma(b1, s61);
            FloatVector x7 = FloatVector.broadcast(S, a[ap + 7]);
            s70 = x7.fma(b0, s70);
            s71 = x7.fma(b1, s71);
            FloatVector x8 = FloatVector.broadcast(S, a[ap + 8]);
            s80 = x8.fma(b0, s80);
            s81 = x8.fma(b1, s81);
            FloatVector x9 = FloatVector.broadcast(S, a[ap + 9]);
            s90 = x9.fma(b0, s90);
            s91 = x9.fma(b1, s91);
            FloatVector x10 = FloatVector.broadcast(S, a[ap + 10]);
            s100 = x10.fma(b0, s100);
            s101 = x10.fma(b1, s101);
            FloatVector x11 = FloatVector.broadcast(S, a[ap + 11]);
            s110 = x11.fma(b0, s110);
            s111 = x11.fma(b1, s111);
        }
        s00.intoArray(c, c0);
        s01.intoArray(c, c0 + L);
        s10.intoArray(c, c1);
        s11.intoArray(c, c1 + L);
        s20.intoArray(c, c2);
        s21.intoArray(c, c2 + L);
        s30.intoArray(c, c3);
        s31.intoArray(c, c3 + L);
        s40.intoArray(c, c4);
        s41.intoArray(c, c4 + L);
        s50.intoArray(c, c5);
        s51.intoArray(c, c5 + L);
        s60.intoArray(c, c6);
        s61.intoArray(c, c6 + L);
        s70.intoArray(c, c7);
        s71.intoArray(c, c7 + L);
        s80.intoArray(c, c8);
        s81.intoArray(c, c8 + L);
        s90.intoArray(c, c9);
        s91.intoArray(c, c9 + L);
        s100.intoArray(c, c10);
        s101.intoArray(c, c10 + L);
        s110.intoArray(c, c11);
        s111.intoArray(c, c11 + L);
    }

    /** 8 rows × NR: c[r] (NR floats at co + r·ldc) += Σ_p a[ao + r·lda + p] · b[bo + p·NR ..], p &lt; kc. */
    static void kernel8(float[] a, int ao, int lda, MemorySegment b, int bo, int kc, float[] c, int co, int ldc) {
        int a0 = ao, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda, a6 = a5 + lda, a7 = a6 + lda;
        int c0 = co, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc, c5 = c4 + ldc, c6 = c5 + ldc, c7 = c6 + ldc;
        FloatVector s00 = FloatVector.fromArray(S, c, c0), s01 = FloatVector.fromArray(S, c, c0 + L);
        FloatVector s10 = FloatVector.fromArray(S, c, c1), s11 = FloatVector.fromArray(S, c, c1 + L);
        FloatVector s20 = FloatVector.fromArray(S, c, c2), s21 = FloatVector.fromArray(S, c, c2 + L);
        FloatVector s30 = FloatVector.fromArray(S, c, c3), s31 = FloatVector.fromArray(S, c, c3 + L);
        FloatVector s40 = FloatVector.fromArray(S, c, c4), s41 = FloatVector.fromArray(S, c, c4 + L);
        FloatVector s50 = FloatVector.fromArray(S, c, c5), s51 = FloatVector.fromArray(S, c, c5 + L);
        FloatVector s60 = FloatVector.fromArray(S, c, c6), s61 = FloatVector.fromArray(S, c, c6 + L);
        FloatVector s70 = FloatVector.fromArray(S, c, c7), s71 = FloatVector.fromArray(S, c, c7 + L);
        for (int p = 0, bp = bo; p < kc; p++, bp += NR) {
            FloatVector b0 = FloatVector.fromMemorySegment(S, b, 4L * bp, LE), b1 = FloatVector.fromMemorySegment(S, b, 4L * bp + VECTOR_BYTES, LE);
            FloatVector x0 = FloatVector.broadcast(S, a[a0 + p]);
            s00 = x0.fma(b0, s00);
            s01 = x0.fma(b1, s01);
            FloatVector x1 = FloatVector.broadcast(S, a[a1 + p]);
            s10 = x1.fma(b0, s10);
            s11 = x1.fma(b1, s11);
            FloatVector x2 = FloatVector.broadcast(S, a[a2 + p]);
            s20 = x2.fma(b0, s20);
            s21 = x2.fma(b1, s21);
            FloatVector x3 = FloatVector.broadcast(S, a[a3 + p]);
            s30 = x3.fma(b0, s30);
            s31 = x3.fma(b1, s31);
            FloatVector x4 = FloatVector.broadcast(S, a[a4 + p]);
            s40 = x4.fma(b0, s40);
            s41 = x4.fma(b1, s41);
            FloatVector x5 = FloatVector.broadcast(S, a[a5 + p]);
            s50 = x5.fma(b0, s50);
            s51 = x5.fma(b1, s51);
            FloatVector x6 = FloatVector.broadcast(S, a[a6 + p]);
            s60 = x6.fma(b0, s60);
            s61 = x6.fma(b1, s61);
            FloatVector x7 = FloatVector.broadcast(S, a[a7 + p]);
            s70 = x7.fma(b0, s70);
            s71 = x7.fma(b1, s71);
        }
        s00.intoArray(c, c0);
        s01.intoArray(c, c0 + L);
        s10.intoArray(c, c1);
        s11.intoArray(c, c1 + L);
        s20.intoArray(c, c2);
        s21.intoArray(c, c2 + L);
        s30.intoArray(c, c3);
        s31.intoArray(c, c3 + L);
        s40.intoArray(c, c4);
        s41.intoArray(c, c4 + L);
        s50.intoArray(c, c5);
        s51.intoArray(c, c5 + L);
        s60.intoArray(c, c6);
        s61.intoArray(c, c6 + L);
        s70.intoArray(c, c7);
        s71.intoArray(c, c7 + L);
    }

    /** 6 rows × NR: c[r] (NR floats at co + r·ldc) += Σ_p a[ao + r·lda + p] · b[bo + p·NR ..], p &lt; kc. */
    static void kernel6(float[] a, int ao, int lda, MemorySegment b, int bo, int kc, float[] c, int co, int ldc) {
        int a0 = ao, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda;
        int c0 = co, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc, c5 = c4 + ldc;
        FloatVector s00 = FloatVector.fromArray(S, c, c0), s01 = FloatVector.fromArray(S, c, c0 + L);
        FloatVector s10 = FloatVector.fromArray(S, c, c1), s11 = FloatVector.fromArray(S, c, c1 + L);
        FloatVector s20 = FloatVector.fromArray(S, c, c2), s21 = FloatVector.fromArray(S, c, c2 + L);
        FloatVector s30 = FloatVector.fromArray(S, c, c3), s31 = FloatVector.fromArray(S, c, c3 + L);
        FloatVector s40 = FloatVector.fromArray(S, c, c4), s41 = FloatVector.fromArray(S, c, c4 + L);
        FloatVector s50 = FloatVector.fromArray(S, c, c5), s51 = FloatVector.fromArray(S, c, c5 + L);
        for (int p = 0, bp = bo; p < kc; p++, bp += NR) {
            FloatVector b0 = FloatVector.fromMemorySegment(S, b, 4L * bp, LE), b1 = FloatVector.fromMemorySegment(S, b, 4L * bp + VECTOR_BYTES, LE);
            FloatVector x0 = FloatVector.broadcast(S, a[a0 + p]);
            s00 = x0.fma(b0, s00);
            s01 = x0.fma(b1, s01);
            FloatVector x1 = FloatVector.broadcast(S, a[a1 + p]);
            s10 = x1.fma(b0, s10);
            s11 = x1.fma(b1, s11);
            FloatVector x2 = FloatVector.broadcast(S, a[a2 + p]);
            s20 = x2.fma(b0, s20);
            s21 = x2.fma(b1, s21);
            FloatVector x3 = FloatVector.broadcast(S, a[a3 + p]);
            s30 = x3.fma(b0, s30);
            s31 = x3.fma(b1, s31);
            FloatVector x4 = FloatVector.broadcast(S, a[a4 + p]);
            s40 = x4.fma(b0, s40);
            s41 = x4.fma(b1, s41);
            FloatVector x5 = FloatVector.broadcast(S, a[a5 + p]);
            s50 = x5.fma(b0, s50);
            s51 = x5.fma(b1, s51);
        }
        s00.intoArray(c, c0);
        s01.intoArray(c, c0 + L);
        s10.intoArray(c, c1);
        s11.intoArray(c, c1 + L);
        s20.intoArray(c, c2);
        s21.intoArray(c, c2 + L);
        s30.intoArray(c, c3);
        s31.intoArray(c, c3 + L);
        s40.intoArray(c, c4);
        s41.intoArray(c, c4 + L);
        s50.intoArray(c, c5);
        s51.intoArray(c, c5 + L);
    }

    /** 4 rows × NR: c[r] (NR floats at co + r·ldc) += Σ_p a[ao + r·lda + p] · b[bo + p·NR ..], p &lt; kc. */
    static void kernel4(float[] a, int ao, int lda, MemorySegment b, int bo, int kc, float[] c, int co, int ldc) {
        int a0 = ao, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
        int c0 = co, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        FloatVector s00 = FloatVector.fromArray(S, c, c0), s01 = FloatVector.fromArray(S, c, c0 + L);
        FloatVector s10 = FloatVector.fromArray(S, c, c1), s11 = FloatVector.fromArray(S, c, c1 + L);
        FloatVector s20 = FloatVector.fromArray(S, c, c2), s21 = FloatVector.fromArray(S, c, c2 + L);
        FloatVector s30 = FloatVector.fromArray(S, c, c3), s31 = FloatVector.fromArray(S, c, c3 + L);
        for (int p = 0, bp = bo; p < kc; p++, bp += NR) {
            FloatVector b0 = FloatVector.fromMemorySegment(S, b, 4L * bp, LE), b1 = FloatVector.fromMemorySegment(S, b, 4L * bp + VECTOR_BYTES, LE);
            FloatVector x0 = FloatVector.broadcast(S, a[a0 + p]);
            s00 = x0.fma(b0, s00);
            s01 = x0.fma(b1, s01);
            FloatVector x1 = FloatVector.broadcast(S, a[a1 + p]);
            s10 = x1.fma(b0, s10);
            s11 = x1.fma(b1, s11);
            FloatVector x2 = FloatVector.broadcast(S, a[a2 + p]);
            s20 = x2.fma(b0, s20);
            s21 = x2.fma(b1, s21);
            FloatVector x3 = FloatVector.broadcast(S, a[a3 + p]);
            s30 = x3.fma(b0, s30);
            s31 = x3.fma(b1, s31);
        }
        s00.intoArray(c, c0);
        s01.intoArray(c, c0 + L);
        s10.intoArray(c, c1);
        s11.intoArray(c, c1 + L);
        s20.intoArray(c, c2);
        s21.intoArray(c, c2 + L);
        s30.intoArray(c, c3);
        s31.intoArray(c, c3 + L);
    }

    /** 2 rows × NR: c[r] (NR floats at co + r·ldc) += Σ_p a[ao + r·lda + p] · b[bo + p·NR ..], p &lt; kc. */
    static void kernel2(float[] a, int ao, int lda, MemorySegment b, int bo, int kc, float[] c, int co, int ldc) {
        int a0 = ao, a1 = a0 + lda;
        int c0 = co, c1 = c0 + ldc;
        FloatVector s00 = FloatVector.fromArray(S, c, c0), s01 = FloatVector.fromArray(S, c, c0 + L);
        FloatVector s10 = FloatVector.fromArray(S, c, c1), s11 = FloatVector.fromArray(S, c, c1 + L);
        for (int p = 0, bp = bo; p < kc; p++, bp += NR) {
            FloatVector b0 = FloatVector.fromMemorySegment(S, b, 4L * bp, LE), b1 = FloatVector.fromMemorySegment(S, b, 4L * bp + VECTOR_BYTES, LE);
            FloatVector x0 = FloatVector.broadcast(S, a[a0 + p]);
            s00 = x0.fma(b0, s00);
            s01 = x0.fma(b1, s01);
            FloatVector x1 = FloatVector.broadcast(S, a[a1 + p]);
            s10 = x1.fma(b0, s10);
            s11 = x1.fma(b1, s11);
        }
        s00.intoArray(c, c0);
        s01.intoArray(c, c0 + L);
        s10.intoArray(c, c1);
        s11.intoArray(c, c1 + L);
    }

    /** 1 row × NR: c[r] (NR floats at co + r·ldc) += Σ_p a[ao + r·lda + p] · b[bo + p·NR ..], p &lt; kc. */
    static void kernel1(float[] a, int ao, int lda, MemorySegment b, int bo, int kc, float[] c, int co, int ldc) {
        int a0 = ao, c0 = co;
        FloatVector s00 = FloatVector.fromArray(S, c, c0), s01 = FloatVector.fromArray(S, c, c0 + L);
        for (int p = 0, bp = bo; p < kc; p++, bp += NR) {
            FloatVector b0 = FloatVector.fromMemorySegment(S, b, 4L * bp, LE), b1 = FloatVector.fromMemorySegment(S, b, 4L * bp + VECTOR_BYTES, LE);
            FloatVector x0 = FloatVector.broadcast(S, a[a0 + p]);
            s00 = x0.fma(b0, s00);
            s01 = x0.fma(b1, s01);
        }
        s00.intoArray(c, c0);
        s01.intoArray(c, c0 + L);
    }
}
