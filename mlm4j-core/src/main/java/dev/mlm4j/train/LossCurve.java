package dev.mlm4j.train;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/** The training loss (and evaluation loss, as points) against the step, drawn headless with Java2D and written as a PNG. */
public final class LossCurve {
    static {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    private LossCurve() {}

    /** A point of a curve: optimiser step and loss. */
    public record Point(double step, double loss) {}

    /** Writes {@code file} (through a temporary file renamed into place): the training curve in blue, evaluation points in orange. */
    public static void write(Path file, List<Point> training, List<Point> evaluation) throws IOException {
        int w = 800, h = 480, left = 70, right = 20, top = 30, bottom = 50;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            double maxStep = 1, lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (List<Point> c : List.of(training, evaluation)) {
                for (Point p : c) {
                    maxStep = Math.max(maxStep, p.step());
                    lo = Math.min(lo, p.loss());
                    hi = Math.max(hi, p.loss());
                }
            }
            if (!(hi >= lo)) { lo = 0; hi = 1; }
            if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
            double fLo = lo, fHi = hi, fMax = maxStep;
            java.util.function.DoubleUnaryOperator x = s -> left + (w - left - right) * s / fMax;
            java.util.function.DoubleUnaryOperator y = l -> top + (h - top - bottom) * (fHi - l) / (fHi - fLo);
            g.setColor(Color.GRAY);
            g.drawRect(left, top, w - left - right, h - top - bottom);
            g.setColor(Color.BLACK);
            g.drawString("loss", 10, top + 30);
            g.drawString("step", w / 2, h - 15);
            g.drawString(String.format(Locale.ROOT, "%.3g", hi), 5, top + 5);
            g.drawString(String.format(Locale.ROOT, "%.3g", lo), 5, h - bottom);
            g.drawString("0", left, h - bottom + 15);
            g.drawString(String.valueOf((long) maxStep), w - right - 30, h - bottom + 15);
            g.setColor(new Color(0x1f77b4));
            g.setStroke(new BasicStroke(1.5f));
            for (int i = 1; i < training.size(); i++) {
                Point a = training.get(i - 1), b = training.get(i);
                g.drawLine((int) x.applyAsDouble(a.step()), (int) y.applyAsDouble(a.loss()), (int) x.applyAsDouble(b.step()), (int) y.applyAsDouble(b.loss()));
            }
            g.setColor(new Color(0xff7f0e));
            for (Point p : evaluation) g.fillOval((int) x.applyAsDouble(p.step()) - 4, (int) y.applyAsDouble(p.loss()) - 4, 8, 8);
            g.drawString("evaluation", w - right - 150, top + 20);
            g.setColor(new Color(0x1f77b4));
            g.drawString("training", w - right - 230, top + 20);
        } finally {
            g.dispose();
        }
        Path tmp = dev.mlm4j.util.StagingFiles.newFile(file.toAbsolutePath().getParent(), "." + file.getFileName(), ".tmp");
        try {
            if (!ImageIO.write(img, "png", tmp.toFile())) throw new IOException("no PNG writer in this Java runtime");
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
