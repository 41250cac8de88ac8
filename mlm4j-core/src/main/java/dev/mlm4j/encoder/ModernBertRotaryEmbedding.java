package dev.mlm4j.encoder;

import dev.mlm4j.tensor.FloatTensor;

/**
 * transformers' {@code ModernBertRotaryEmbedding} for one layer type (its own θ): inv_freq_k = 1 / θ^(2k/d) and, for
 * position p, cos(p·inv_freq) and sin(p·inv_freq), each frequency used for dimension k and k + d/2; in float32 as
 * torch computes it. {@link #rotate} applies {@code apply_rotary_pos_emb}: x' = x·cos + rotate_half(x)·sin with
 * rotate_half(x) = (−x₂, x₁). Tables grow on demand up to the longest sequence seen.
 */
final class ModernBertRotaryEmbedding {
    private final float[] invFreq; // (d/2)
    private volatile float[][] cosSin = {new float[0], new float[0]}; // [cos | sin], each (positions × d/2)

    ModernBertRotaryEmbedding(double theta, int headSize) {
        this.invFreq = new float[headSize / 2];
        for (int k = 0; k < invFreq.length; k++) {
            float exponent = (float) (2 * k) / headSize;                // torch.arange(0, d, 2, dtype=float) / d
            invFreq[k] = 1f / (float) Math.pow(theta, exponent);
        }
    }

    private float[][] tables(int positions) {
        float[][] t = cosSin;
        int half = invFreq.length;
        if (t[0].length >= positions * half) return t;
        synchronized (this) {
            t = cosSin;
            if (t[0].length >= positions * half) return t;
            float[] cos = new float[positions * half], sin = new float[positions * half];
            for (int p = 0; p < positions; p++) {
                for (int k = 0; k < half; k++) {
                    float f = invFreq[k] * (float) p;
                    cos[p * half + k] = (float) Math.cos(f);
                    sin[p * half + k] = (float) Math.sin(f);
                }
            }
            return cosSin = new float[][] {cos, sin};
        }
    }

    /** Rotates x (len, d) in place, row i at position i. */
    void rotate(FloatTensor x) {
        rotate(x, 1f);
    }

    /**
     * The backward of {@link #rotate}: the gradient at the rotated rows (len, d) becomes, in place, the gradient at the
     * rows before rotation, R_iᵀ g_i (the rotation by −angle).
     */
    void rotateBack(FloatTensor g) {
        rotate(g, -1f);
    }

    /** x_i ← R_i x_i, the angles' sines multiplied by {@code sign} (−1: the inverse rotation). */
    private void rotate(FloatTensor x, float sign) {
        int len = x.dim(0), half = invFreq.length;
        float[][] t = tables(len);
        float[] d = x.data(), cos = t[0], sin = t[1];
        for (int i = 0; i < len; i++) {
            int r = x.rowOffset(i), p = i * half;
            for (int k = 0; k < half; k++) {
                float a = d[r + k], b = d[r + k + half], c = cos[p + k], s = sign * sin[p + k];
                d[r + k] = a * c - b * s;
                d[r + k + half] = b * c + a * s;
            }
        }
    }
}
