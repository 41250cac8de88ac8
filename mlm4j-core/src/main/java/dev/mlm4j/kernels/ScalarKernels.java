package dev.mlm4j.kernels;

import dev.mlm4j.tensor.FloatTensor;

/**
 * Reference kernels: plain loops, written to be obviously right. Accumulations run in double.
 * Every fast kernel is tested against these.
 */
public class ScalarKernels implements Kernels {

    @Override
    public String name() {
        return "scalar";
    }

    static void requireUnitStride(FloatTensor... ts) {
        for (FloatTensor t : ts) {
            if (t.rank() != 2 && t.rank() != 1) throw new IllegalArgumentException("kernels take rank-1 or rank-2 tensors, got " + t);
            if (t.stride(-1) != 1) throw new IllegalArgumentException("kernels need unit stride along the last dimension: " + t);
        }
    }

    /** An in-place operation on one row, {@code d[offset .. offset + n)}. */
    @FunctionalInterface
    interface RowOp {
        void apply(float[] d, int offset, int n);
    }

    /** Applies {@code op} to each row of {@code x} (rank 1: its one row), in place: the row loop the elementwise kernels share. */
    static void eachRow(FloatTensor x, RowOp op) {
        requireUnitStride(x);
        int rows = x.rank() == 1 ? 1 : x.dim(0);
        int n = x.dim(-1);
        float[] d = x.data();
        for (int i = 0; i < rows; i++) op.apply(d, x.rank() == 1 ? x.offset() : x.rowOffset(i), n);
    }

    static void requireMatmulShapes(int m, int n, int k, FloatTensor a, FloatTensor c, int bRows, int bCols, boolean transposed) {
        if (a.dim(1) != k || c.dim(0) != m || c.dim(1) != n) {
            throw new IllegalArgumentException("matmul shapes do not agree: a" + java.util.Arrays.toString(a.shape())
                    + (transposed ? " · bᵀ, b[" : " · b[") + bRows + ", " + bCols + "] → c" + java.util.Arrays.toString(c.shape()));
        }
    }

    @Override
    public void matmul(FloatTensor a, FloatTensor b, FloatTensor c) {
        requireUnitStride(a, b, c);
        int m = a.dim(0), k = a.dim(1), n = b.dim(1);
        if (b.dim(0) != k) requireMatmulShapes(m, n, -1, a, c, b.dim(0), n, false);
        requireMatmulShapes(m, n, k, a, c, b.dim(0), n, false);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double) a.at(i, p) * b.at(p, j);
                c.data()[c.rowOffset(i) + j] = (float) s;
            }
        }
    }

    @Override
    public void matmulTransposed(FloatTensor a, FloatTensor b, FloatTensor c) {
        requireUnitStride(a, b, c);
        int m = a.dim(0), k = a.dim(1), n = b.dim(0);
        if (b.dim(1) != k) requireMatmulShapes(m, n, -1, a, c, n, b.dim(1), true);
        requireMatmulShapes(m, n, k, a, c, n, k, true);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double) a.at(i, p) * b.at(j, p);
                c.data()[c.rowOffset(i) + j] = (float) s;
            }
        }
    }

    /**
     * The reference GEMM: for each output, one {@code Math.fma} chain over the inputs in order, started from
     * {@code bias + residual}, then the epilogue's GELU (the float erf of {@link VectorKernels#gelu(float)}, which the
     * fast GEMM fuses too). Unlike {@link #matmul} it accumulates in float, because that is the contract of
     * {@link Kernels#linear}: the same bits from this loop and from {@link Gemm}'s tiles.
     */
    @Override
    public void linear(FloatTensor x, PackedMatrix w, FloatTensor bias, Epilogue e, FloatTensor residual, FloatTensor out) {
        Gemm.check(x, w.in(), w.out(), w, bias, e, residual, out);
        eachOutput(x, w.out(), e, out, (row, i, o) -> {
            float s = bias == null ? 0f : bias.get(o);
            if (residual != null) s += residual.at(i, o);
            for (int p = 0; p < row.length; p++) s = Math.fma(row[p], w.weight(o, p), s);
            return s;
        });
    }

    /**
     * The reference int8 GEMM: for each output, {@code acc} = one {@code Math.fma} chain of x against the stored int8
     * values, from 0, in order; then {@code acc · scale + bias + residual}, GELU last.
     */
    @Override
    public void linear(FloatTensor x, Int8Matrix w, FloatTensor bias, Epilogue e, FloatTensor residual, FloatTensor out) {
        Gemm.check(x, w.in(), w.out(), w, bias, e, residual, out);
        eachOutput(x, w.out(), e, out, (row, i, o) -> {
            float acc = 0f;
            for (int p = 0; p < row.length; p++) acc = Math.fma(row[p], w.quantized(o, p), acc);
            float s = acc * w.scale(o);
            if (bias != null) s += bias.get(o);
            if (residual != null) s += residual.at(i, o);
            return s;
        });
    }

    /** One output of a reference linear layer, before the GELU: row i of x (a copy) and output column o. */
    private interface LinearOutput {
        float at(float[] row, int i, int o);
    }

    /** out[i][o] = GELU-if-asked(value(x row i, i, o)) for every row i and output o: the loop both reference GEMMs run. */
    private static void eachOutput(FloatTensor x, int m, Epilogue e, FloatTensor out, LinearOutput value) {
        float[] row = new float[x.dim(1)];
        for (int i = 0; i < x.dim(0); i++) {
            System.arraycopy(x.data(), x.rowOffset(i), row, 0, row.length);
            for (int o = 0; o < m; o++) {
                float s = value.at(row, i, o);
                out.data()[out.rowOffset(i) + o] = e.gelu() ? VectorKernels.gelu(s) : s;
            }
        }
    }

    /** Exact attention: the (n, m) scores q kᵀ · scale, −∞ where masked, {@link #softmaxRows}, then A v. */
    @Override
    public void attention(FloatTensor q, FloatTensor k, FloatTensor v, boolean causal, int halfWindow, boolean[] validKeys, float scale, FloatTensor out) {
        checkAttention(q, k, v, validKeys, out);
        int n = q.dim(0), m = k.dim(0);
        if (n == 0) return;
        FloatTensor s = FloatTensor.zeros(n, m);
        matmulTransposed(q, k, s);
        scale(s, scale);
        float[] d = s.data();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                if (masked(i, j, causal, halfWindow, validKeys)) d[s.rowOffset(i) + j] = Float.NEGATIVE_INFINITY;
            }
        }
        softmaxRows(s);
        matmul(s, v, out);
    }

    /** Whether query i may not see key j: above the diagonal of a causal mask, outside a sliding window, or padding. */
    static boolean masked(int i, int j, boolean causal, int halfWindow, boolean[] validKeys) {
        return (causal && j > i) || (halfWindow >= 0 && Math.abs(i - j) > halfWindow) || (validKeys != null && !validKeys[j]);
    }

    /** The shapes {@link Kernels#attention} takes: q (n, dk), k (m, dk), v (m, dv), out (n, dv), validKeys null or (m). */
    static void checkAttention(FloatTensor q, FloatTensor k, FloatTensor v, boolean[] validKeys, FloatTensor out) {
        requireUnitStride(q, k, v, out);
        int n = q.dim(0), dk = q.dim(1), m = k.dim(0), dv = v.dim(1);
        if (k.dim(1) != dk || v.dim(0) != m) {
            throw new IllegalArgumentException("attention shapes: q" + java.util.Arrays.toString(q.shape()) + " k"
                    + java.util.Arrays.toString(k.shape()) + " v" + java.util.Arrays.toString(v.shape()));
        }
        out.requireShape("attention output", n, dv);
        if (validKeys != null && validKeys.length != m) {
            throw new IllegalArgumentException("padding mask has " + validKeys.length + " keys, k has " + m);
        }
    }

    @Override
    public void addBias(FloatTensor x, FloatTensor bias) {
        requireUnitStride(x, bias);
        int m = x.dim(0), n = x.dim(1);
        if (bias.size() != n) throw new IllegalArgumentException("bias of " + bias.size() + " for rows of " + n);
        float[] xd = x.data(), bd = bias.data();
        for (int i = 0; i < m; i++) {
            int r = x.rowOffset(i);
            for (int j = 0; j < n; j++) xd[r + j] += bd[bias.offset() + j];
        }
    }

    @Override
    public void add(FloatTensor x, FloatTensor y) {
        requireUnitStride(x, y);
        if (x.dim(0) != y.dim(0) || x.dim(1) != y.dim(1)) throw new IllegalArgumentException("add: " + x + " vs " + y);
        for (int i = 0; i < x.dim(0); i++) {
            int rx = x.rowOffset(i), ry = y.rowOffset(i);
            for (int j = 0; j < x.dim(1); j++) x.data()[rx + j] += y.data()[ry + j];
        }
    }

    @Override
    public void scale(FloatTensor x, float s) {
        requireUnitStride(x);
        for (int i = 0; i < x.dim(0); i++) {
            int r = x.rowOffset(i);
            for (int j = 0; j < x.dim(1); j++) x.data()[r + j] *= s;
        }
    }

    @Override
    public void softmaxRows(FloatTensor x) {
        requireUnitStride(x);
        float[] d = x.data();
        int n = x.dim(1);
        for (int i = 0; i < x.dim(0); i++) {
            int r = x.rowOffset(i);
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) max = Math.max(max, d[r + j]);
            if (max == Float.NEGATIVE_INFINITY) {
                for (int j = 0; j < n; j++) d[r + j] = 0f;
                continue;
            }
            double sum = 0;
            for (int j = 0; j < n; j++) {
                double e = Math.exp((double) d[r + j] - max);
                d[r + j] = (float) e;
                sum += e;
            }
            for (int j = 0; j < n; j++) d[r + j] = (float) (d[r + j] / sum);
        }
    }

    @Override
    public void layerNorm(FloatTensor x, FloatTensor gamma, FloatTensor beta, float eps) {
        requireUnitStride(x, gamma, beta);
        int n = x.dim(1);
        float[] d = x.data(), g = gamma.data(), b = beta.data();
        for (int i = 0; i < x.dim(0); i++) {
            int r = x.rowOffset(i);
            double mean = 0;
            for (int j = 0; j < n; j++) mean += d[r + j];
            mean /= n;
            double var = 0;
            for (int j = 0; j < n; j++) {
                double t = d[r + j] - mean;
                var += t * t;
            }
            var /= n;
            double inv = 1.0 / Math.sqrt(var + eps);
            for (int j = 0; j < n; j++) {
                d[r + j] = (float) ((d[r + j] - mean) * inv * g[gamma.offset() + j] + b[beta.offset() + j]);
            }
        }
    }

    @Override
    public void gelu(FloatTensor x) {
        eachRow(x, (d, r, n) -> {
            for (int j = 0; j < n; j++) d[r + j] = (float) gelu((double) d[r + j]);
        });
    }

    /** GELU in double: x · ½ · (1 + erf(x / √2)). */
    public static double gelu(double x) {
        return 0.5 * x * (1.0 + erf(x / Math.sqrt(2.0)));
    }

    /**
     * erf in double precision (|error| below 1e-13): the Maclaurin series for |x| &lt; 2.5, and the
     * continued fraction of erfc beyond. Java's Math has no erf; this is the reference the fast
     * rational approximation in {@link VectorKernels} is tested against.
     */
    public static double erf(double x) {
        double ax = Math.abs(x);
        if (Double.isNaN(x)) return Double.NaN;
        if (ax < 2.5) {
            double x2 = x * x, term = x, sum = x;
            for (int n = 1; n < 200; n++) {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
            }
            return 2.0 / Math.sqrt(Math.PI) * sum;
        }
        if (ax > 6.5) return Math.signum(x);
        double f = ax;
        for (int k = 80; k >= 1; k--) f = ax + (k / 2.0) / f;
        double erfc = Math.exp(-ax * ax) / (Math.sqrt(Math.PI) * f);
        return Math.signum(x) * (1.0 - erfc);
    }

    // ---- backward: plain loops in double, the reference for every backward kernel --------------------------

    @Override
    public void linearWeightGrad(FloatTensor x, FloatTensor dy, FloatTensor dw, FloatTensor db) {
        checkWeightGrad(x, dy, dw, db);
        int n = x.dim(0), in = x.dim(1), out = dy.dim(1);
        for (int o = 0; o < out; o++) {
            for (int p = 0; p < in; p++) {
                double s = 0;
                for (int i = 0; i < n; i++) s += (double) dy.at(i, o) * x.at(i, p);
                dw.data()[dw.rowOffset(o) + p] += (float) s;
            }
            if (db != null) {
                double s = 0;
                for (int i = 0; i < n; i++) s += dy.at(i, o);
                db.data()[db.offset() + o] += (float) s;
            }
        }
    }

    /** The shapes {@link #linearWeightGrad} takes: x (n, in), dy (n, out), dw (out, in), db null or (out) contiguous. */
    static void checkWeightGrad(FloatTensor x, FloatTensor dy, FloatTensor dw, FloatTensor db) {
        requireUnitStride(x, dy, dw);
        if (dy.dim(0) != x.dim(0)) throw new IllegalArgumentException("weight gradient: x " + x + " and dy " + dy + " differ in rows");
        dw.requireShape("weight gradient", dy.dim(1), x.dim(1));
        if (db != null && (db.size() != dy.dim(1) || db.stride(-1) != 1)) throw new IllegalArgumentException("bias gradient " + db + " for " + dy.dim(1) + " outputs");
    }

    @Override
    public void layerNormBackward(FloatTensor x, FloatTensor gamma, float eps, FloatTensor dy, FloatTensor dx, FloatTensor dgamma, FloatTensor dbeta) {
        checkLayerNormBackward(x, gamma, dy, dx, dgamma, dbeta);
        int m = x.dim(0), n = x.dim(1);
        double[] xhat = new double[n], g = new double[n], dgs = new double[n], dbs = new double[n];
        for (int i = 0; i < m; i++) {
            int r = x.rowOffset(i), ry = dy.rowOffset(i), rx = dx.rowOffset(i);
            double mean = 0;
            for (int j = 0; j < n; j++) mean += x.data()[r + j];
            mean /= n;
            double var = 0;
            for (int j = 0; j < n; j++) {
                double t = x.data()[r + j] - mean;
                var += t * t;
            }
            double rstd = 1.0 / Math.sqrt(var / n + eps), gMean = 0, gxMean = 0;
            for (int j = 0; j < n; j++) {
                double d = dy.data()[ry + j];
                xhat[j] = (x.data()[r + j] - mean) * rstd;
                g[j] = d * gamma.data()[gamma.offset() + j];
                gMean += g[j];
                gxMean += g[j] * xhat[j];
                dgs[j] += d * xhat[j];
                dbs[j] += d;
            }
            gMean /= n;
            gxMean /= n;
            for (int j = 0; j < n; j++) dx.data()[rx + j] = (float) ((g[j] - gMean - xhat[j] * gxMean) * rstd);
        }
        for (int j = 0; j < n; j++) {
            dgamma.data()[dgamma.offset() + j] += (float) dgs[j];
            dbeta.data()[dbeta.offset() + j] += (float) dbs[j];
        }
    }

    /** The shapes {@link Kernels#layerNormBackward} takes: x, dy, dx (m, n), unit stride. */
    static void checkLayerNormBackward(FloatTensor x, FloatTensor gamma, FloatTensor dy, FloatTensor dx, FloatTensor dgamma, FloatTensor dbeta) {
        requireUnitStride(x, gamma, dy, dx, dgamma, dbeta);
        dy.requireShape("layer norm dy", x.dim(0), x.dim(1));
        dx.requireShape("layer norm dx", x.dim(0), x.dim(1));
    }

    @Override
    public void geluBackward(FloatTensor x, FloatTensor dy) {
        requireUnitStride(x, dy);
        int rows = x.rank() == 1 ? 1 : x.dim(0), n = x.dim(-1);
        for (int i = 0; i < rows; i++) {
            int r = x.rank() == 1 ? x.offset() : x.rowOffset(i), ry = dy.rank() == 1 ? dy.offset() : dy.rowOffset(i);
            for (int j = 0; j < n; j++) dy.data()[ry + j] = (float) (dy.data()[ry + j] * geluDerivative(x.data()[r + j]));
        }
    }

    @Override
    public void crossEntropyBackward(FloatTensor logits, int[] labels, int ignore, float scale, FloatTensor dlogits, double[] terms) {
        requireUnitStride(logits, dlogits);
        int c = logits.dim(1);
        float[] x = logits.data(), d = dlogits.data();
        double[] p = new double[c];
        for (int i = 0; i < logits.dim(0); i++) {
            int r = logits.rowOffset(i), rd = dlogits.rowOffset(i);
            if (labels[i] == ignore) {
                java.util.Arrays.fill(d, rd, rd + c, 0f);
                terms[i] = 0;
                continue;
            }
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j < c; j++) max = Math.max(max, x[r + j]);
            for (int j = 0; j < c; j++) sum += p[j] = Math.exp(x[r + j] - max);
            terms[i] = Math.log(sum) + max - x[r + labels[i]];
            for (int j = 0; j < c; j++) d[rd + j] = (float) ((p[j] / sum - (j == labels[i] ? 1 : 0)) * scale);
        }
    }

    @Override
    public double sumOfSquares(float[] d, int from, int to) {
        // eight running sums: one chain of dependent double adds ran at one element per add's latency (~4 cycles)
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int j = from;
        for (; j + 8 <= to; j += 8) {
            s0 += (double) d[j] * d[j];
            s1 += (double) d[j + 1] * d[j + 1];
            s2 += (double) d[j + 2] * d[j + 2];
            s3 += (double) d[j + 3] * d[j + 3];
            s4 += (double) d[j + 4] * d[j + 4];
            s5 += (double) d[j + 5] * d[j + 5];
            s6 += (double) d[j + 6] * d[j + 6];
            s7 += (double) d[j + 7] * d[j + 7];
        }
        for (; j < to; j++) s0 += (double) d[j] * d[j];
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    @Override
    public void adamW(float[] p, int po, float[] grad, int go, float[] m, float[] v, int from, int to,
                      float b1, float b2, float c2, float eps, float stepSize, float decay, float gradScale) {
        for (int i = from; i < to; i++) {
            float g = gradScale == 1f ? grad[go + i] : grad[go + i] * gradScale;
            m[i] = b1 * m[i] + (1 - b1) * g;
            v[i] = b2 * v[i] + (1 - b2) * g * g;
            p[po + i] = p[po + i] * decay - stepSize * m[i] / ((float) Math.sqrt(v[i]) / c2 + eps);
        }
    }

    /** GELU'(x) = Φ(x) + x φ(x), in double. */
    public static double geluDerivative(double x) {
        return 0.5 * (1.0 + erf(x / Math.sqrt(2.0))) + x * Math.exp(-0.5 * x * x) / Math.sqrt(2.0 * Math.PI);
    }

    /** The scores s = mask(q kᵀ · scale) in double, −∞ where masked: the reference's (n, m) matrix. */
    private static double[][] maskedScores(FloatTensor q, FloatTensor k, boolean causal, int halfWindow, boolean[] validKeys, float scale) {
        int n = q.dim(0), m = k.dim(0), d = q.dim(1);
        double[][] s = new double[n][m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                if (masked(i, j, causal, halfWindow, validKeys)) {
                    s[i][j] = Double.NEGATIVE_INFINITY;
                    continue;
                }
                double dot = 0;
                for (int c = 0; c < d; c++) dot += (double) q.at(i, c) * k.at(j, c);
                s[i][j] = dot * scale;
            }
        }
        return s;
    }

    @Override
    public void attentionTraining(FloatTensor q, FloatTensor k, FloatTensor v, boolean causal, int halfWindow, boolean[] validKeys, float scale,
                                  DropoutMask drop, FloatTensor out, float[] lse, int lseOffset) {
        checkAttention(q, k, v, validKeys, out);
        int n = q.dim(0), m = k.dim(0), dvd = v.dim(1);
        double[][] s = maskedScores(q, k, causal, halfWindow, validKeys, scale);
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j < m; j++) max = Math.max(max, s[i][j]);
            if (max != Double.NEGATIVE_INFINITY) for (int j = 0; j < m; j++) sum += Math.exp(s[i][j] - max);
            double l = sum > 0 ? max + Math.log(sum) : Double.NEGATIVE_INFINITY;
            lse[lseOffset + i] = (float) l;
            for (int c = 0; c < dvd; c++) {
                double o = 0;
                if (sum > 0) for (int j = 0; j < m; j++) o += Math.exp(s[i][j] - l) * drop.factor((long) i * m + j) * v.at(j, c);
                out.data()[out.rowOffset(i) + c] = (float) o;
            }
        }
    }

    @Override
    public void attentionBackward(FloatTensor q, FloatTensor k, FloatTensor v, boolean causal, int halfWindow, boolean[] validKeys, float scale,
                                  DropoutMask drop, FloatTensor out, float[] lse, int lseOffset, FloatTensor dOut,
                                  FloatTensor dq, FloatTensor dk, FloatTensor dv) {
        checkAttention(q, k, v, validKeys, dOut);
        requireUnitStride(out, dq, dk, dv);
        int n = q.dim(0), m = k.dim(0), dkd = q.dim(1), dvd = v.dim(1);
        out.requireShape("attention output", n, dvd);
        dq.requireShape("dq", n, dkd);
        dk.requireShape("dk", m, dkd);
        dv.requireShape("dv", m, dvd);
        double[][] s = maskedScores(q, k, causal, halfWindow, validKeys, scale), p = new double[n][m], ds = new double[n][m];
        double[][] z = new double[n][m];
        for (int i = 0; i < n; i++) {
            double l = lse[lseOffset + i], dd = 0;
            for (int c = 0; c < dvd; c++) dd += (double) dOut.at(i, c) * out.at(i, c);
            for (int j = 0; j < m; j++) {
                p[i][j] = l == Double.NEGATIVE_INFINITY ? 0 : Math.exp(s[i][j] - l);
                z[i][j] = drop.factor((long) i * m + j);
                double dp = 0;
                for (int c = 0; c < dvd; c++) dp += (double) dOut.at(i, c) * v.at(j, c);
                ds[i][j] = p[i][j] * (z[i][j] * dp - dd);
            }
        }
        for (int j = 0; j < m; j++) {
            for (int c = 0; c < dvd; c++) {
                double a = 0;
                for (int i = 0; i < n; i++) a += z[i][j] * p[i][j] * dOut.at(i, c);
                dv.data()[dv.rowOffset(j) + c] = (float) a;
            }
            for (int c = 0; c < dkd; c++) {
                double a = 0;
                for (int i = 0; i < n; i++) a += ds[i][j] * q.at(i, c);
                dk.data()[dk.rowOffset(j) + c] = (float) (a * scale);
            }
        }
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < dkd; c++) {
                double a = 0;
                for (int j = 0; j < m; j++) a += ds[i][j] * k.at(j, c);
                dq.data()[dq.rowOffset(i) + c] = (float) (a * scale);
            }
        }
    }
}
