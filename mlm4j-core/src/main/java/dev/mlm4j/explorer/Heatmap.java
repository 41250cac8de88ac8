package dev.mlm4j.explorer;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

/**
 * Attention matrices as pictures: one labelled heatmap (tokens on both axes, a colour scale), or all layers ×
 * heads as small multiples. Rows are the attending token i (the query), columns the attended token j (the key),
 * so row i is token i's attention distribution; white is 0, dark blue the scale's top. Rendered to PNG or SVG.
 */
public final class Heatmap {
    private static final Color[] BLUES = {
            new Color(0xf7fbff), new Color(0xdeebf7), new Color(0xc6dbef), new Color(0x9ecae1), new Color(0x6baed6),
            new Color(0x4292c6), new Color(0x2171b5), new Color(0x08519c), new Color(0x08306b)};
    private static final Color INK = new Color(0x222222), GREY = new Color(0x777777), RULE = new Color(0xbbbbbb);

    private final Picture picture;

    private Heatmap(Picture picture) {
        this.picture = picture;
    }

    /** One head (or {@link AttentionView#MEAN}) of one layer, titled with the model's name. */
    public static Heatmap of(AttentionView v, int layer, int head, String modelName) {
        String what = "layer " + layer + ", " + (head == AttentionView.MEAN ? "mean over heads" : "head " + head);
        return matrix(modelName + " · " + what + " · " + v.directionName(), labels(v), v.attention(layer, head));
    }

    /** Any square matrix of non-negative weights with its token labels (e.g. a rollout). */
    public static Heatmap matrix(String title, List<String> labels, double[][] m) {
        int n = labels.size();
        if (m.length != n) throw new IllegalArgumentException(n + " labels for a matrix of " + m.length + " rows");
        double max = 0;
        for (double[] row : m) {
            if (row.length != n) throw new IllegalArgumentException("the matrix is not square");
            for (double x : row) max = Math.max(max, x);
        }
        if (max <= 0) max = 1;
        boolean stochastic = true;
        for (double[] row : m) {
            double sum = 0;
            for (double x : row) sum += x;
            stochastic &= Math.abs(sum - 1) < 1e-3;
        }
        double cell = Math.clamp(Math.round(640.0 / n), 6, 40);
        float font = (float) Math.clamp(cell * 0.6, 7, 13);
        double labelW = 0;
        for (String s : labels) labelW = Math.max(labelW, Picture.textWidth(s, font, false));
        labelW += 8;
        double grid = n * cell, titleH = 44, left = 26 + labelW, top = titleH + labelW + 22;
        double barX = left + grid + 22, barH = Math.max(grid, 140);
        int width = (int) Math.ceil(Math.max(barX + 14 + 64, Picture.textWidth(title, 15, true) + 40));
        int height = (int) Math.ceil(top + barH + 16);
        Picture p = new Picture(width, height);
        p.text(12, 22, title, 15, Picture.Anchor.START, false, true, INK);
        p.text(12, 38, stochastic ? "row i attends to column j; each row sums to 1" : "row i, column j: the weight of edge i → j", 11, Picture.Anchor.START, false, false, GREY);
        p.text(left + grid / 2, titleH + 12, "attended token j (key)", 11, Picture.Anchor.MIDDLE, false, false, GREY);
        p.text(16, top + grid / 2, "attending token i (query)", 11, Picture.Anchor.MIDDLE, true, false, GREY);
        for (int i = 0; i < n; i++) {
            double c = top + i * cell + cell / 2 + font * 0.35;
            p.text(left - 5, c, labels.get(i), font, Picture.Anchor.END, false, false, INK);
            p.text(left + i * cell + cell / 2 + font * 0.35, top - 5, labels.get(i), font, Picture.Anchor.START, true, false, INK);
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double v = m[i][j];
                p.cell(left + j * cell, top + i * cell, cell, cell, colour(v / max),
                        labels.get(i) + " → " + labels.get(j) + ": " + String.format(Locale.ROOT, "%.4f", v));
                if (cell >= 30 && v > 0) {
                    p.text(left + j * cell + cell / 2, top + i * cell + cell / 2 + 3.5, String.format(Locale.ROOT, "%.2f", v), 9.5f,
                            Picture.Anchor.MIDDLE, false, false, v / max > 0.55 ? Color.WHITE : INK);
                }
            }
        }
        p.frame(left, top, grid, grid, RULE);
        int steps = 64;
        for (int s = 0; s < steps; s++) {
            double t = 1 - (s + 0.5) / steps;
            p.rect(barX, top + s * barH / steps, 14, barH / steps + 0.5, colour(t));
        }
        p.frame(barX, top, 14, barH, RULE);
        for (int k = 0; k <= 4; k++) {
            double y = top + barH * (1 - k / 4.0);
            p.line(barX + 14, y, barX + 18, y, GREY, 1);
            p.text(barX + 21, y + 4, String.format(Locale.ROOT, "%.3f", max * k / 4.0), 10, Picture.Anchor.START, false, false, INK);
        }
        return new Heatmap(p);
    }

    /**
     * Every layer (rows) × head (columns) of a view as small heatmaps, each scaled to its own maximum; the
     * last column is the mean over the layer's heads.
     */
    public static Heatmap grid(AttentionView v, String modelName) {
        int n = v.length(), layers = v.layers(), heads = v.heads();
        double panel = Math.clamp(n * 3.0, 36, 96), cell = panel / n, gap = 8, left = 40, top = 66;
        int cols = heads + 1;
        String title = modelName + " · all " + layers + " layers × " + heads + " heads · " + v.directionName();
        int width = (int) Math.ceil(Math.max(left + cols * (panel + gap) + 8, Math.max(560, Picture.textWidth(title, 15, true) + 40)));
        int height = (int) Math.ceil(top + layers * (panel + gap) + 8);
        Picture p = new Picture(width, height);
        p.text(12, 22, title, 15, Picture.Anchor.START, false, true, INK);
        p.text(12, 38, n + " tokens: " + abbreviate(String.join(" ", labels(v)), 120) + "  (each panel scaled to its own maximum)",
                10, Picture.Anchor.START, false, false, GREY);
        for (int h = 0; h < cols; h++) {
            p.text(left + h * (panel + gap) + panel / 2, top - 8, h == heads ? "mean" : "H" + h, 11, Picture.Anchor.MIDDLE, false, true, INK);
        }
        for (int l = 0; l < layers; l++) {
            double y0 = top + l * (panel + gap);
            p.text(left - 6, y0 + panel / 2 + 4, "L" + l, 11, Picture.Anchor.END, false, true, INK);
            for (int h = 0; h < cols; h++) {
                double x0 = left + h * (panel + gap);
                double[][] m = v.attention(l, h == heads ? AttentionView.MEAN : h);
                double max = 0;
                for (double[] row : m) for (double x : row) max = Math.max(max, x);
                if (max <= 0) max = 1;
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        if (m[i][j] > 0) p.rect(x0 + j * cell, y0 + i * cell, cell + 0.02, cell + 0.02, colour(m[i][j] / max));
                    }
                }
                p.frame(x0, y0, panel, panel, RULE);
            }
        }
        return new Heatmap(p);
    }

    private static List<String> labels(AttentionView v) {
        return v.tokens().stream().map(Token::text).toList();
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    /** White at exactly 0 (masked or no weight); any positive weight is at least the palette's palest blue, up to dark blue at 1. */
    static Color colour(double t) {
        if (!(t > 0)) return Color.WHITE;
        t = Math.min(1, t);
        double x = t * (BLUES.length - 1);
        int k = Math.min((int) x, BLUES.length - 2);
        double f = x - k;
        Color a = BLUES[k], b = BLUES[k + 1];
        return new Color((int) Math.round(a.getRed() + f * (b.getRed() - a.getRed())),
                (int) Math.round(a.getGreen() + f * (b.getGreen() - a.getGreen())),
                (int) Math.round(a.getBlue() + f * (b.getBlue() - a.getBlue())));
    }

    public int width() {
        return picture.width();
    }

    public int height() {
        return picture.height();
    }

    public BufferedImage image() {
        return picture.image();
    }

    public byte[] png() {
        return picture.png();
    }

    public String svg() {
        return picture.svg();
    }
}
