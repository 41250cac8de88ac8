package dev.mlm4j.kernels;

import dev.mlm4j.tensor.FloatTensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Vector API fp32 GEMM for linear layers ({@link VectorKernels#linear(FloatTensor, PackedMatrix, FloatTensor, Epilogue,
 * FloatTensor, FloatTensor)}; its plain reference is {@link ScalarKernels}'): {@code out (n, out) = x (n, in) · Wᵀ}, with the bias, GELU or residual
 * add of {@link Epilogue} fused into the tile store. W is packed once at load ({@link PackedMatrix}), into the heap or
 * mapped from the packed cache's file (then the tiles are {@link MappedKernels}', the same loops reading the mapping).
 *
 * <p>The shape of the computation, outermost first (GotoBLAS/BLIS order, with B packed ahead of time):
 * <ol>
 *   <li><b>tasks</b>: the output is cut into a grid of row blocks × panel ranges, claimed dynamically
 *       by {@link Parallel#forEach}; many rows split by rows (each task streams all of W once per
 *       block), few rows (the latency case, n = 1…16) split by column panels so both cores stream
 *       half of W each; weights over 16 MB (a vocabulary-sized decoder) split so the tasks stream the
 *       fewest floats ({@link #fewestStreams});</li>
 *   <li><b>column blocks</b> of panels whose output slice (a quarter of L2) stays in L2 across the k blocks;</li>
 *   <li><b>row blocks</b> whose slice of x for one k block (256 KB) is copied into a contiguous
 *       per-thread buffer, its full 12-row tiles interleaved ({@link #INTERLEAVE}), where it stays in L2
 *       while the panels stream past;</li>
 *   <li><b>k blocks</b> of at most {@link #KC_L1} inputs, so a panel's slice ({@code KC_L1 × NR} floats,
 *       two thirds of L1, {@link CacheSizes}, but no fewer than 256 inputs) stays in L1 or close by in L2 while every row
 *       tile of the block reuses it;</li>
 *   <li><b>panels</b> of {@link PackedMatrix#NR} output columns (two vectors);</li>
 *   <li><b>row tiles</b> of {@code MR} rows (12 with 512-bit vectors, 6 with narrower ones), tails in 8, 6, 4, 2, 1;</li>
 *   <li>the <b>micro-kernel</b>: an MR × NR tile of accumulators in registers; per input p it loads
 *       two vectors of the panel, broadcasts one x value per row (one sequential stream for an
 *       interleaved tile, {@link MicroKernels#kernel12i}; else its rows are MR sequential streams) and issues
 *       2·MR FMAs.</li>
 * </ol>
 * A task of few rows (the latency case), and every task with vectors narrower than 512 bits, skips the copy and
 * reads x in place, in k blocks of up to {@value #DEFAULT_KC} ({@link #fewRows}).
 *
 * <p>The epilogue is split around the k loop: the first k block starts each tile from
 * {@code bias + residual} (so {@code residual} may be {@code out} itself), the last applies GELU.
 * Each output element is one FMA chain over p in order, whatever the tiling or the split over
 * threads, so results depend neither on the number of threads nor on the other rows in the batch:
 * a sentence gives bit-identical outputs alone or padded into a batch.
 */
public final class Gemm {
    private Gemm() {}

    static final VectorSpecies<Float> S = VectorKernels.S;
    static final int L = VectorKernels.L;
    static final int NR = PackedMatrix.NR;
    static final int DEFAULT_KC = 1024;
    /** x floats (256 KB) a row sub-block may span in one k block: it is re-read from L2 for every panel. */
    static final int A_BLOCK_FLOATS = Math.max(1, Integer.getInteger("mlm4j.gemm.ablock", 1 << 16));
    /** Output floats (256 KB) a task's row sub-block may span between k blocks. */
    private static final int C_BLOCK_FLOATS = 1 << 16;
    /**
     * Rows per register tile: with 512-bit vectors (32 registers) 12 × 2 vectors, 24 accumulators (1.03–1.24× the 6-row
     * tile's GFLOP/s at BERT shapes on an AVX-512 Xeon); narrower species have 16 registers: 6 × 2 vectors.
     */
    static final int MR = rowsProperty();
    /** Inputs per k block for a task of few rows ({@link #fewRows}); longer k is cut into equal blocks no longer than this. */
    static final int KC = Math.max(16, Integer.getInteger("mlm4j.gemm.kc", DEFAULT_KC));
    static final int MIN_KC_L1 = 256;
    /**
     * Inputs per k block otherwise: a panel's slice of them (KC_L1 × NR floats) fills two thirds of the L1 data cache
     * (256 with 512-bit vectors and 48 KB), a multiple of 16 in [256, 512]. Not fewer than {@value #MIN_KC_L1}: every k
     * block loads and stores the output tiles again, and on a Zen 4 (32 KB L1d, where two thirds gave 160) k blocks of
     * 256 ran 2–20 % faster at every BERT shape measured, the panel slice then streaming from L2 — 128 bytes per 24 FMAs
     * of the 12 × 32 tile (docs/BENCHMARKS.md section 6).
     */
    static final int KC_L1 = Math.clamp(CacheSizes.L1D * 2L / 3 / (NR * Float.BYTES) / 16 * 16, MIN_KC_L1, 512);
    /** Output floats a column block of {@link #block} keeps in L2 across its k blocks: a quarter of L2 (512 KB of 2 MB). */
    private static final int C_BLOCK_L2_FLOATS = Math.clamp(CacheSizes.L2 / 4L / Float.BYTES, 1 << 14, 1 << 18);
    /**
     * Rows a task needs for {@link #block}'s blocking; fewer go through {@link #fewRows}. With 128 × 768 × 3072 on two
     * threads (tasks of 32 rows) the blocked path ran at 0.95× the other; at 1024 rows and more, 1.06–1.2×.
     */
    static final int MIN_BLOCKED_ROWS = 64;
    /**
     * Whether {@link #block}'s blocking is used at all: with 512-bit vectors. With 256-bit ones (the same Xeon under
     * {@code -XX:UseAVX=2}, 6 × 16 tiles) it ran at 0.88–1.0× the few-rows path at every shape, whatever its k block
     * (128, 256 or 512), so narrower species keep that path.
     */
    static final boolean BLOCKED = S.vectorBitSize() >= 512;
    /**
     * Whether the blocked paths ({@link #block}, {@link WeightGradGemm}) copy their 12-row tiles interleaved — a
     * tile's 12 inputs p side by side, as OpenBLAS packs A — so the micro-kernel reads one sequential stream instead of
     * 12 rows {@code lda} apart. GemmQuick on two threads, in turns with the row-major copy, at MiniLM's training
     * shapes: 4096 × 384 × 384 250 → 288 GFLOP/s, 4096 × 384 × 1536 227 → 260, 4096 × 1152 × 384 241 → 265; the weight
     * gradient 4096 × 384 × 1536 215 → 255. With 12-row tiles (512-bit vectors); {@code -Dmlm4j.gemm.interleave=false}
     * copies row by row. The bits do not change: each output is the same FMA chain over k.
     */
    static final boolean INTERLEAVE = MR == 12 && Boolean.parseBoolean(System.getProperty("mlm4j.gemm.interleave", "true"));
    /** Fewest multiply-adds (~5 µs) worth handing to another thread. */
    private static final long MIN_TASK_FMAS = 1L << 18;
    /** Row blocks are at least this tall, so each panel slice serves several row tiles. */
    private static final int MIN_BLOCK_ROWS = 32;
    private static final int TASKS_PER_THREAD = 4;

    private static int rowsProperty() {
        int mr = Integer.getInteger("mlm4j.gemm.rows", S.vectorBitSize() >= 512 ? 12 : 6);
        if (mr != 1 && mr != 2 && mr != 4 && mr != 6 && mr != 8 && mr != 12) throw new IllegalArgumentException("mlm4j.gemm.rows must be 1, 2, 4, 6, 8 or 12, got " + mr);
        return mr;
    }

    /** The configuration, for logs and benchmark reports. */
    public static String describe() {
        return "Gemm[" + S.vectorBitSize() + "-bit, tile " + MR + "×" + NR + ", KC " + KC_L1 + " (few rows " + KC + "), L1d "
                + (CacheSizes.L1D >> 10) + " KB, L2 " + (CacheSizes.L2 >> 10) + " KB, threads " + Parallel.threads() + "]";
    }

    /**
     * {@code out (n, out) = epilogue(x (n, in) · Wᵀ + bias)}.
     *
     * @param x        (n, in) activations; rows may have any stride, the last dimension unit stride
     * @param w        the packed weight, {@code in → out}
     * @param bias     (out), or null for none; must be null with {@link Epilogue#NONE}
     * @param e        what to do to each tile before the store
     * @param residual (n, out), only and always with {@link Epilogue#BIAS_RESIDUAL}; may be {@code out} itself
     * @param out      (n, out), written; rows may have any stride; must not overlap x
     */
    public static void linear(FloatTensor x, PackedMatrix w, FloatTensor bias, Epilogue e, FloatTensor residual, FloatTensor out) {
        linear(x, w, bias, e, residual, out, Parallel.threads());
    }

    /** {@link #linear} with the work split for {@code threads} threads (1: one task, on the caller). */
    static void linear(FloatTensor x, PackedMatrix w, FloatTensor bias, Epilogue e, FloatTensor residual, FloatTensor out, int threads) {
        Call c = new Call(x, w, bias, e, residual, out);
        int n = c.n, panels = w.panels();
        if (n == 0 || c.m == 0) return;
        long fmas = (long) n * c.k * c.m;
        int maxTasks = threads <= 1 ? 1 : (int) Math.max(1, Math.min((long) TASKS_PER_THREAD * threads, fmas / MIN_TASK_FMAS));
        int rowTasks = Math.min(maxTasks, ceilDiv(n, MIN_BLOCK_ROWS));
        if ((long) c.k * c.m > LARGE_W_FLOATS) rowTasks = Math.min(rowTasks, fewestStreams(maxTasks, (long) c.k * c.m, (long) n * c.k));
        int rowsPer = roundUp(ceilDiv(n, rowTasks), Math.min(MR, n));
        rowTasks = ceilDiv(n, rowsPer);
        int colTasks = Math.min(panels, Math.max(1, maxTasks / rowTasks));
        int panelsPer = ceilDiv(panels, colTasks);
        int cols = ceilDiv(panels, panelsPer);
        Parallel.forEach(rowTasks * cols, t -> {
            int r = t / cols, q = t % cols;
            block(c, r * rowsPer, Math.min(n, (r + 1) * rowsPer), q * panelsPer, Math.min(panels, (q + 1) * panelsPer));
        });
    }

    /**
     * Weights larger than this (4M floats, 16 MB: a vocabulary-sized decoder, 30,522 × 384 is 47 MB) stream from
     * memory, once per row task that reads them; smaller ones (BERT-base's largest, 768 × 3072, is 9.4 MB) keep the
     * split by rows, their re-reads served by the caches.
     */
    static final long LARGE_W_FLOATS = 1L << 22;

    /**
     * The row tasks (a power of two up to {@code maxTasks}) that move the fewest floats when every row task streams
     * all of W ({@code w} floats) and every column task all of x ({@code x} floats), the tasks being rows × columns =
     * maxTasks: a decoder's logits (x 614 × 384, W 30,522 × 384) want one row task, its dx (x 614 × 30,522) several.
     */
    static int fewestStreams(int maxTasks, long w, long x) {
        int best = 1;
        long bestFloats = Long.MAX_VALUE;
        for (int r = 1; r <= maxTasks; r *= 2) {
            long floats = r * w + (long) Math.max(1, maxTasks / r) * x;
            if (floats < bestFloats) {
                bestFloats = floats;
                best = r;
            }
        }
        return best;
    }

    /**
     * Rows [i0, i1) × panels [q0, q1) of the output, all k (GotoBLAS/BLIS order): column blocks of panels whose output
     * slice stays in L2 across the k blocks; in each, row blocks of {@code mc} rows whose slice of x for one k block of
     * {@link #KC_L1} inputs is copied into a contiguous buffer (it stays in L2 and each row tile's rows lie together,
     * whatever x's row stride); then, for each panel, its k slice (KC_L1 × NR floats) stays in L1 while every
     * row tile of the block runs over it. A task of few rows, an empty k, or any task with vectors narrower than 512
     * bits ({@link #BLOCKED}) goes through {@link #fewRows} instead.
     */
    private static void block(Call c, int i0, int i1, int q0, int q1) {
        if (!BLOCKED || i1 - i0 < MIN_BLOCKED_ROWS || c.k == 0) {
            fewRows(c, i0, i1, q0, q1);
            return;
        }
        int k = c.k, kc = ceilDiv(k, ceilDiv(k, KC_L1)), lda = padded(kc);
        int mc = Math.min(i1 - i0, Math.max(MR, A_BLOCK_FLOATS / lda / MR * MR));
        int np = Math.max(1, C_BLOCK_L2_FLOATS / (mc * NR));
        int kBlocks = ceilDiv(k, kc);
        long kept = (long) mc * lda * kBlocks;
        if (q1 - q0 > np && kept <= KEEP_A_FLOATS) {
            blockKeepingA(c, i0, i1, q0, q1, kc, lda, mc, np, XA.get((int) kept));
            return;
        }
        float[] xa = XA.get(mc * lda);
        for (int qb = q0; qb < q1; qb += np) {
            int qe = Math.min(q1, qb + np);
            for (int m0 = i0; m0 < i1; m0 += mc) {
                int m1 = Math.min(i1, m0 + mc);
                for (int kb = 0; kb < k; kb += kc) {
                    int kl = Math.min(kc, k - kb);
                    copyBlock(c, m0, m1, kb, kl, xa, 0, lda);
                    tiles(c, xa, -m0 * lda, lda, INTERLEAVE, m0, m1, qb, qe, kb, kl);
                }
            }
        }
    }

    /**
     * The copied x floats (4 MB) a row block may keep across its column blocks: {@link #blockKeepingA}'s buffer, every k
     * block of {@code mc} rows ({@code -Dmlm4j.gemm.keepa=0}: never, the copy per column block).
     */
    static final int KEEP_A_FLOATS = Math.max(0, Integer.getInteger("mlm4j.gemm.keepa", 1 << 20));

    /**
     * {@link #block} when the panels take several column blocks: the row block's x copied once, every k block of it
     * (k block b at xa[b · mc · lda]), then the column blocks run over the copy. Looping column blocks outside row
     * blocks copied each row block once per column block: MiniLM's feed-forward input (1536 outputs) four times,
     * bert-base's six, a decoder's logits (30,522 outputs) eighty. Each output element still adds its k blocks in
     * order through the same kernel, so the same bits.
     */
    private static void blockKeepingA(Call c, int i0, int i1, int q0, int q1, int kc, int lda, int mc, int np, float[] xa) {
        int k = c.k;
        for (int m0 = i0; m0 < i1; m0 += mc) {
            int m1 = Math.min(i1, m0 + mc);
            for (int kb = 0, at = 0; kb < k; kb += kc, at += mc * lda) copyBlock(c, m0, m1, kb, Math.min(kc, k - kb), xa, at, lda);
            for (int qb = q0; qb < q1; qb += np) {
                int qe = Math.min(q1, qb + np);
                for (int kb = 0, at = 0; kb < k; kb += kc, at += mc * lda) {
                    tiles(c, xa, at - m0 * lda, lda, INTERLEAVE, m0, m1, qb, qe, kb, Math.min(kc, k - kb));
                }
            }
        }
    }

    /**
     * {@link #block} for a task of fewer than {@value #MIN_BLOCKED_ROWS} rows (the latency case), and for every task
     * with vectors narrower than 512 bits: x read in place, k
     * blocks of up to {@value #DEFAULT_KC} (a panel slice serves too few row tiles to pay for reloading the output
     * between more of them), the rows in sub-blocks whose slice of x and, with several k blocks, of the output stays in
     * L2 while the panels stream past.
     */
    private static void fewRows(Call c, int i0, int i1, int q0, int q1) {
        int k = c.k, blocks = i1 - i0 <= MR ? 1 : Math.max(1, ceilDiv(k, KC)), kc = ceilDiv(k, blocks);
        int width = (q1 - q0) * NR;
        int mcA = Math.max(MR, A_BLOCK_FLOATS / Math.max(1, kc) / MR * MR);
        int mc = Math.min(mcA, blocks == 1 ? i1 - i0 : Math.max(MR, C_BLOCK_FLOATS / width / MR * MR));
        for (int m0 = i0; m0 < i1; m0 += mc) {
            int m1 = Math.min(i1, m0 + mc);
            int kb = 0;
            do {                                                         // once when k is 0: the tiles start from bias + residual
                tiles(c, c.xd, c.xo + kb, c.ldx, false, m0, m1, q0, q1, kb, Math.min(kc, k - kb));
                kb += kc;
            } while (kb < k);
        }
    }

    /**
     * Panels [q0, q1) × rows [m0, m1) over inputs [kb, kb + kl): every row tile runs over each panel's k slice in turn.
     * x's row r starts at xa[xbase + r·lda] (its input kb there), or, when {@code interleaved}, each 12-row tile's rows
     * are interleaved from there ({@link #copyBlock}); the first k block starts the tiles from the epilogue's bias and
     * residual, the last applies its GELU.
     */
    private static void tiles(Call c, float[] xa, int xbase, int lda, boolean interleaved, int m0, int m1, int q0, int q1, int kb, int kl) {
        boolean first = kb == 0, last = kb + kl == c.k;
        for (int q = q0; q < q1; q++) {
            int j = q * NR, cols = Math.min(NR, c.m - j), bo = q * c.k * NR + kb * NR;
            for (int i = m0; i < m1; ) {
                int rows = tileRows(m1 - i), ao = xbase + i * lda;
                if (cols == NR) {
                    int co = c.oo + i * c.ldo + j;
                    if (first) c.init(c.od, co, c.ldo, i, rows, j, NR);
                    c.kernel(interleaved, rows, xa, ao, lda, bo, kl, c.od, co, c.ldo);
                    if (last && c.gelu) c.gelu(c.od, co, c.ldo, rows, NR);
                } else {
                    // the zero-padded last panel: run the full-width kernel on a scratch tile
                    float[] edge = EDGE.get(MR * NR);
                    if (first) c.init(edge, 0, NR, i, rows, j, cols);
                    else for (int r = 0; r < rows; r++) System.arraycopy(c.od, c.oo + (i + r) * c.ldo + j, edge, r * NR, cols);
                    c.kernel(interleaved, rows, xa, ao, lda, bo, kl, edge, 0, NR);
                    if (last && c.gelu) c.gelu(edge, 0, NR, rows, cols);
                    for (int r = 0; r < rows; r++) System.arraycopy(edge, r * NR, c.od, c.oo + (i + r) * c.ldo + j, cols);
                }
                i += rows;
            }
        }
    }

    /**
     * x's rows [m0, m1), inputs [kb, kb + kl), into xa from {@code at}, row m0 + i at xa[at + i·lda]: with {@link #INTERLEAVE} the full
     * 12-row tiles interleaved (a tile's input p for its 12 rows side by side at xa[i·lda + 12·p + r]), the rows after
     * the last full tile as they are. The tiles are copied an input at a time (twelve loads from the twelve rows, twelve
     * consecutive stores); a row at a time (one load stream, stores 12 floats apart) made the whole GEMM 3–13 % slower
     * where the copy weighs most, few panels per column block (4096 × 1536 × 384: 243 against 264 GFLOP/s on two
     * threads; a decoder's dx, 614 × 30522 × 384: 172–175 against 193–200).
     */
    private static void copyBlock(Call c, int m0, int m1, int kb, int kl, float[] xa, int at, int lda) {
        int full = INTERLEAVE ? (m1 - m0) / 12 * 12 : 0;
        float[] xd = c.xd;
        int ldx = c.ldx;
        for (int t = 0; t < full; t += 12) {                           // input by input: twelve reads, one run of writes
            int s0 = c.xo + (m0 + t) * ldx + kb, dst = at + t * lda;
            for (int p = 0; p < kl; p++, dst += 12) {
                int s = s0 + p;
                xa[dst] = xd[s];
                xa[dst + 1] = xd[s + ldx];
                xa[dst + 2] = xd[s + 2 * ldx];
                xa[dst + 3] = xd[s + 3 * ldx];
                xa[dst + 4] = xd[s + 4 * ldx];
                xa[dst + 5] = xd[s + 5 * ldx];
                xa[dst + 6] = xd[s + 6 * ldx];
                xa[dst + 7] = xd[s + 7 * ldx];
                xa[dst + 8] = xd[s + 8 * ldx];
                xa[dst + 9] = xd[s + 9 * ldx];
                xa[dst + 10] = xd[s + 10 * ldx];
                xa[dst + 11] = xd[s + 11 * ldx];
            }
        }
        for (int r = m0 + full; r < m1; r++) System.arraycopy(xd, c.xo + r * ldx + kb, xa, at + (r - m0) * lda, kl);
    }

    /** The calling thread's buffers: a row block of x for one k block, and a scratch tile for the last panel. */
    private static final ThreadBuffer XA = new ThreadBuffer(), EDGE = new ThreadBuffer();

    /** Set once a process has started {@link #compileTilesAhead} (or when it is not asked for). */
    private static final AtomicBoolean TILES_AHEAD = new AtomicBoolean(!Boolean.getBoolean("mlm4j.compileTilesAhead"));

    /**
     * With {@code -Dmlm4j.compileTilesAhead=true} (the launcher's), the first call starts a daemon thread that runs every
     * register tile this machine's GEMM uses, and the decoder's dot product, a few dozen times on a tiny block, so that
     * the JIT compiles them while the weights load rather than during the first forward pass, where they would otherwise
     * run interpreted and then C1-compiled (each Vector API operation allocating) until C2 is done. A model load calls
     * it; later calls do nothing. It pays only with their compile thresholds lowered as the launcher lowers them
     * ({@code -XX:CompileCommand=CompileThresholdScaling,dev.mlm4j.kernels.MicroKernels::*,0.01}, and for
     * {@code VectorKernels::dot}): with the JVM's own thresholds a few dozen calls compile nothing. A cold fill-mask on
     * bert-base ran ~6 % faster with the tiles (docs/BENCHMARKS.md section 7, run 11), ~4 % more with the dot product
     * (run 13). The element-wise kernels are too many and too small to warm this way: {@link ColdKernels}.
     */
    public static void compileTilesAhead() {
        if (TILES_AHEAD.getAndSet(true)) return;
        Thread.ofPlatform().daemon().name("mlm4j-tiles-ahead").start(() -> {
            try {
                runTiles();
            } catch (Throwable ignored) {
                // an optimisation only: the forward pass compiles the tiles anyway
            }
        });
    }

    /**
     * Runs each tile {@link #tileRows} can choose 40 times on a 16-deep block of zeros, then the decoder's dot product
     * (the masked-LM logits, one dot product per vocabulary entry: a cold fill-mask spent ~70 ms there before C2 had
     * compiled it) and the one- and two-row tiles again until they run compiled ({@link #untilCompiled}); returns the
     * tiles' row counts.
     */
    static List<Integer> runTiles() {
        List<Integer> tiles = new ArrayList<>();
        for (int rows : new int[] {MR, 8, 6, 4, 2, 1}) if (tileRows(rows) == rows && !tiles.contains(rows)) tiles.add(rows);
        int kc = 16;
        float[] a = new float[MR * kc], b = new float[kc * NR], c = new float[MR * NR];
        for (int rows : tiles) {
            for (int i = 0; i < 40; i++) MicroKernels.kernel(rows, a, 0, kc, b, 0, kc, c, 0, NR);
        }
        float[] d = new float[512];
        List<Warm> untilCompiled = new ArrayList<>();
        untilCompiled.add(new Warm(() -> {
            for (int i = 0; i < 60; i++) VectorKernels.dot(d, 0, d, 0, d.length - 1);
        }, 60 * 250));
        for (int rows : new int[] {1, 2}) {
            if (!tiles.contains(rows)) continue;
            untilCompiled.add(new Warm(() -> {
                for (int i = 0; i < 40; i++) MicroKernels.kernel(rows, a, 0, kc, b, 0, kc, c, 0, NR);
            }, 40L * rows * NR * kc));
        }
        untilCompiled(untilCompiled);
        return tiles;
    }

    /** A round of calls to a kernel, and the time under which it ran compiled (~1 ns a multiply-add). */
    private record Warm(Runnable round, long compiledNanos) {}

    /**
     * Runs each round 10 ms apart until it runs at compiled speed (interpreted or C1-compiled Vector API code takes
     * microseconds a call), for at most a second — for the masked-LM decoder's dot product ({@link VectorKernels#dot},
     * ~30,000 calls a mask in a fill-mask) and the one- and two-row tiles (the last rows of most texts: 9 tokens are
     * tiles of 8 and 1), which are cheap to compile. One round was not enough: with C2's queue long during a load the JIT
     * compiles them at tier 2 (C1, no profile) and goes on to C2 only on further calls, which came in the first request
     * — its logits then took ~100 ms instead of ~10, and {@code kernel1} reached C2 during the load in none of 12 starts
     * (docs/BENCHMARKS.md section 7, run 13). The larger tiles are left to their one round: compiling all of them during
     * the load costs more than it saves.
     */
    private static void untilCompiled(List<Warm> warms) {
        List<Warm> left = new ArrayList<>(warms);
        for (int round = 0; round < 100 && !left.isEmpty(); round++) {
            for (java.util.Iterator<Warm> it = left.iterator(); it.hasNext(); ) {
                Warm w = it.next();
                long t0 = System.nanoTime();
                w.round().run();
                if (System.nanoTime() - t0 < w.compiledNanos()) it.remove();
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The rows of the next register tile when {@code left} rows remain: MR, then 8, 6 (below MR), 4, 2, 1. */
    static int tileRows(int left) {
        return left >= MR ? MR : left >= 8 && MR > 8 ? 8 : left >= 6 && MR > 6 ? 6 : left >= 4 ? 4 : left >= 2 ? 2 : 1;
    }

    /** One call's operands, flattened to arrays (the weight's, or its mapped segment), offsets and row strides. */
    private static final class Call {
        final int n, k, m;
        final float[] xd, wd, od, bd, rd;
        final MemorySegment ws; // the weight's floats when they are mapped from the packed cache (wd null), else null
        final int xo, ldx, oo, ldo, biasOff, resOff, ldr;
        final boolean gelu;
        final boolean coldGelu; // the GELU on its scalar twin while the process is cold (ColdKernels)

        Call(FloatTensor x, PackedMatrix w, FloatTensor bias, Epilogue e, FloatTensor residual, FloatTensor out) {
            check(x, w.in(), w.out(), w, bias, e, residual, out);
            n = x.dim(0);
            k = w.in();
            m = w.out();
            xd = x.data();
            xo = x.offset();
            ldx = x.stride(0);
            wd = w.data();
            ws = w.mapped();
            od = out.data();
            oo = out.offset();
            ldo = out.stride(0);
            bd = bias == null ? null : bias.data();
            biasOff = bias == null ? 0 : bias.offset();
            rd = residual == null ? null : residual.data();
            resOff = residual == null ? 0 : residual.offset();
            ldr = residual == null ? 0 : residual.stride(0);
            gelu = e.gelu();
            coldGelu = gelu && ColdKernels.GELU.take((long) n * m);
        }

        /** The register tile over the weight's panel at {@code bo}: {@link MicroKernels}' on heap floats, {@link MappedKernels}' on mapped ones. */
        void kernel(boolean interleaved, int rows, float[] a, int ao, int lda, int bo, int kc, float[] dst, int co, int ldc) {
            if (ws == null) MicroKernels.kernel(interleaved, rows, a, ao, lda, wd, bo, kc, dst, co, ldc);
            else MappedKernels.kernel(interleaved, rows, a, ao, lda, ws, bo, kc, dst, co, ldc);
        }

        /**
         * Starts the tile rows [i, i + rows) × columns [j, j + cols) at {@code bias + residual} (or 0),
         * written to {@code dst} at {@code co} with row stride {@code ld}.
         */
        void init(float[] dst, int co, int ld, int i, int rows, int j, int cols) {
            for (int r = 0; r < rows; r++) {
                int d = co + r * ld, jj = 0;
                if (cols == NR) {
                    FloatVector v0 = bd == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bd, biasOff + j);
                    FloatVector v1 = bd == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bd, biasOff + j + L);
                    if (rd != null) {
                        int s = resOff + (i + r) * ldr + j;
                        v0 = v0.add(FloatVector.fromArray(S, rd, s));
                        v1 = v1.add(FloatVector.fromArray(S, rd, s + L));
                    }
                    v0.intoArray(dst, d);
                    v1.intoArray(dst, d + L);
                    continue;
                }
                for (; jj < cols; jj++) {
                    float v = bd == null ? 0f : bd[biasOff + j + jj];
                    if (rd != null) v += rd[resOff + (i + r) * ldr + j + jj];
                    dst[d + jj] = v;
                }
            }
        }

        /** GELU in place on a rows × cols tile (cols ≤ NR), with the float erf of {@link VectorKernels#gelu}. */
        void gelu(float[] c, int co, int ldc, int rows, int cols) {
            if (coldGelu) {
                ColdKernels.geluTile(c, co, ldc, rows, cols);
                return;
            }
            for (int r = 0; r < rows; r++) {
                int o = co + r * ldc, j = 0;
                for (; j + L <= cols; j += L) VectorKernels.gelu(FloatVector.fromArray(S, c, o + j)).intoArray(c, o + j);
                for (; j < cols; j++) c[o + j] = VectorKernels.gelu(c[o + j]);
            }
        }
    }

    /**
     * The checks every linear kernel makes (fp32 or int8, reference or fast) before it writes anything:
     * x (n, k) and out (n, m) with unit stride along features, bias (m) only with an epilogue that adds it, a residual
     * (n, m) exactly with {@link Epilogue#BIAS_RESIDUAL} (it may be out itself, not another view of it), out not over x.
     */
    static void check(FloatTensor x, int k, int m, Object w, FloatTensor bias, Epilogue e, FloatTensor residual, FloatTensor out) {
        if (e == null) throw new IllegalArgumentException("epilogue is null; use Epilogue.NONE");
        require2d("x", x);
        require2d("out", out);
        int n = x.dim(0);
        if (x.dim(1) != k) {
            throw new IllegalArgumentException("linear: x" + Arrays.toString(x.shape()) + " has " + x.dim(1) + " features, weight takes " + k + " (" + w + ")");
        }
        out.requireShape("linear output", n, m);
        if (bias != null) {
            if (e == Epilogue.NONE) throw new IllegalArgumentException("bias given with Epilogue.NONE; use Epilogue.BIAS");
            if (bias.size() != m || bias.stride(-1) != 1) throw new IllegalArgumentException("bias " + bias + " for " + m + " outputs (needs " + m + " contiguous floats)");
        }
        if (e.residual() != (residual != null)) {
            throw new IllegalArgumentException(e.residual() ? "Epilogue.BIAS_RESIDUAL needs a residual" : "residual given with Epilogue." + e);
        }
        if (residual != null) {
            require2d("residual", residual);
            residual.requireShape("residual", n, m);
            if (residual.data() == out.data() && !(residual.offset() == out.offset() && residual.stride(0) == out.stride(0)) && overlap(residual, out)) {
                throw new IllegalArgumentException("residual overlaps out without being the same view");
            }
        }
        if (x.data() == out.data() && overlap(x, out)) throw new IllegalArgumentException("out overlaps x");
    }

    private static void require2d(String what, FloatTensor t) {
        if (t.rank() != 2) throw new IllegalArgumentException(what + " must be (rows, features), got " + t);
        if (t.stride(1) != 1) throw new IllegalArgumentException(what + " needs unit stride along features: " + t);
    }

    private static boolean overlap(FloatTensor a, FloatTensor b) {
        if (a.size() == 0 || b.size() == 0) return false;
        long a0 = a.offset(), a1 = a.rowOffset(a.dim(0) - 1) + a.dim(1);
        long b0 = b.offset(), b1 = b.rowOffset(b.dim(0) - 1) + b.dim(1);
        return a0 < b1 && b0 < a1;
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /** A row stride of at least kc floats, a whole number of cache lines and off every multiple of 1 KB. */
    static int padded(int kc) {
        int lda = roundUp(kc, 16);
        return lda % 256 == 0 ? lda + 16 : lda;
    }

    static int roundUp(int a, int multiple) {
        return ceilDiv(a, multiple) * multiple;
    }
}
