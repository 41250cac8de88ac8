package dev.mlm4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-tile micro-kernels under {@link Gemm} and {@link WeightGradGemm} (and, on panels widened to floats,
 * {@link Int8Gemm}): {@code c (rows × NR) += a (rows × kc) · b (kc × NR)}, b one packed panel ({@link PackedMatrix}),
 * for 12, 8, 6, 4, 2 and 1 rows, and 12 rows of a tile copied interleaved. {@link Gemm} chooses the tiles and the
 * blocking around them; the plain reference of the whole product is {@link ScalarKernels}'.
 */
final class MicroKernels {
    private MicroKernels() {}

    static final VectorSpecies<Float> S = VectorKernels.S;
    static final int L = VectorKernels.L;
    static final int NR = PackedMatrix.NR;

    /** {@link #kernel}, or, for a 12-row tile of a block copied {@code interleaved}, the 12-row kernel reading it so. */
    static void kernel(boolean interleaved, int rows, float[] a, int ao, int lda, float[] b, int bo, int kc, float[] c, int co, int ldc) {
        if (interleaved && rows == 12) kernel12i(a, ao, b, bo, kc, c, co, ldc);
        else kernel(rows, a, ao, lda, b, bo, kc, c, co, ldc);
    }

    /** c[co + r·ldc ..] (rows × NR) += Σ_p a[ao + r·lda + p] · b[bo + p·NR ..], p &lt; kc: the micro-kernel for {@code rows}. */
    static void kernel(int rows, float[] a, int ao, int lda, float[] b, int bo, int kc, float[] c, int co, int ldc) {
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

    // ---- the same loop unrolled over 12, 8, 6, 4, 2 and 1 rows ---------------------------------------
    // Unrolled by hand, not looped over rows, so that the accumulators are named locals that C2 keeps in
    // registers for the whole k block: 2·rows vectors, plus two of the panel and one broadcast (an array of
    // accumulators would be stored and reloaded on every step). Every index is affine in p, so C2 can hoist
    // the bounds checks out of the loop (the measured 85–97 % of FMA peak says it does). Int8Gemm runs the
    // 6-, 4-, 2- and 1-row ones too, on a panel widened to floats, with c a zeroed accumulator tile.

    /**
     * 12 rows × NR: c[r] (NR floats at co + r·ldc) += Σ_p a[ao + r·lda + p] · b[bo + p·NR ..], p &lt; kc. 24 accumulators,
     * two panel vectors and a broadcast: 27 of AVX-512's 32 vector registers (AVX2 has 16: there MR stays 6).
     */
    static void kernel12(float[] a, int ao, int lda, float[] b, int bo, int kc, float[] c, int co, int ldc) {
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
            FloatVector b0 = FloatVector.fromArray(S, b, bp), b1 = FloatVector.fromArray(S, b, bp + L);
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
     * {@link #kernel12} on a tile copied interleaved ({@code Gemm.copyBlock}): row r's input p at a[ao + 12·p + r], so the
     * broadcasts read one sequential stream. The same FMAs in the same order. A step parameter in kernel12 instead
     * (lda 1, step 12) cost the row-major calls 10–20 %: C2 no longer removed the twelve loads' range checks.
     */
    static void kernel12i(float[] a, int ao, float[] b, int bo, int kc, float[] c, int co, int ldc) {
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
            FloatVector b0 = FloatVector.fromArray(S, b, bp), b1 = FloatVector.fromArray(S, b, bp + L);
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
    static void kernel8(float[] a, int ao, int lda, float[] b, int bo, int kc, float[] c, int co, int ldc) {
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
            FloatVector b0 = FloatVector.fromArray(S, b, bp), b1 = FloatVector.fromArray(S, b, bp + L);
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
    static void kernel6(float[] a, int ao, int lda, float[] b, int bo, int kc, float[] c, int co, int ldc) {
        int a0 = ao, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda;
        int c0 = co, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc, c5 = c4 + ldc;
        FloatVector s00 = FloatVector.fromArray(S, c, c0), s01 = FloatVector.fromArray(S, c, c0 + L);
        FloatVector s10 = FloatVector.fromArray(S, c, c1), s11 = FloatVector.fromArray(S, c, c1 + L);
        FloatVector s20 = FloatVector.fromArray(S, c, c2), s21 = FloatVector.fromArray(S, c, c2 + L);
        FloatVector s30 = FloatVector.fromArray(S, c, c3), s31 = FloatVector.fromArray(S, c, c3 + L);
        FloatVector s40 = FloatVector.fromArray(S, c, c4), s41 = FloatVector.fromArray(S, c, c4 + L);
        FloatVector s50 = FloatVector.fromArray(S, c, c5), s51 = FloatVector.fromArray(S, c, c5 + L);
        for (int p = 0, bp = bo; p < kc; p++, bp += NR) {
            FloatVector b0 = FloatVector.fromArray(S, b, bp), b1 = FloatVector.fromArray(S, b, bp + L);
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
    static void kernel4(float[] a, int ao, int lda, float[] b, int bo, int kc, float[] c, int co, int ldc) {
        int a0 = ao, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
        int c0 = co, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        FloatVector s00 = FloatVector.fromArray(S, c, c0), s01 = FloatVector.fromArray(S, c, c0 + L);
        FloatVector s10 = FloatVector.fromArray(S, c, c1), s11 = FloatVector.fromArray(S, c, c1 + L);
        FloatVector s20 = FloatVector.fromArray(S, c, c2), s21 = FloatVector.fromArray(S, c, c2 + L);
        FloatVector s30 = FloatVector.fromArray(S, c, c3), s31 = FloatVector.fromArray(S, c, c3 + L);
        for (int p = 0, bp = bo; p < kc; p++, bp += NR) {
            FloatVector b0 = FloatVector.fromArray(S, b, bp), b1 = FloatVector.fromArray(S, b, bp + L);
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
    static void kernel2(float[] a, int ao, int lda, float[] b, int bo, int kc, float[] c, int co, int ldc) {
        int a0 = ao, a1 = a0 + lda;
        int c0 = co, c1 = c0 + ldc;
        FloatVector s00 = FloatVector.fromArray(S, c, c0), s01 = FloatVector.fromArray(S, c, c0 + L);
        FloatVector s10 = FloatVector.fromArray(S, c, c1), s11 = FloatVector.fromArray(S, c, c1 + L);
        for (int p = 0, bp = bo; p < kc; p++, bp += NR) {
            FloatVector b0 = FloatVector.fromArray(S, b, bp), b1 = FloatVector.fromArray(S, b, bp + L);
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
    static void kernel1(float[] a, int ao, int lda, float[] b, int bo, int kc, float[] c, int co, int ldc) {
        int a0 = ao, c0 = co;
        FloatVector s00 = FloatVector.fromArray(S, c, c0), s01 = FloatVector.fromArray(S, c, c0 + L);
        for (int p = 0, bp = bo; p < kc; p++, bp += NR) {
            FloatVector b0 = FloatVector.fromArray(S, b, bp), b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector x0 = FloatVector.broadcast(S, a[a0 + p]);
            s00 = x0.fma(b0, s00);
            s01 = x0.fma(b1, s01);
        }
        s00.intoArray(c, c0);
        s01.intoArray(c, c0 + L);
    }
}
