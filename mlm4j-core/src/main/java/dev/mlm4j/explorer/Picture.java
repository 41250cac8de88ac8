package dev.mlm4j.explorer;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A drawing as a list of shapes, rendered either to PNG (Java2D, headless) or to SVG (written by hand), so
 * the two formats always show the same picture. Coordinates are pixels, y down.
 */
final class Picture {
    static {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    enum Anchor { START, MIDDLE, END }

    private sealed interface Shape permits Rect, Text, Line {}

    private record Rect(double x, double y, double w, double h, Color fill, Color stroke, String title) implements Shape {}

    private record Text(double x, double y, String text, float size, Anchor anchor, boolean vertical, boolean bold, Color color) implements Shape {}

    private record Line(double x1, double y1, double x2, double y2, Color color, float width) implements Shape {}

    static final String FONT = "DejaVu Sans";
    private static final BufferedImage SCRATCH = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);

    private final int width, height;
    private final List<Shape> shapes = new ArrayList<>();

    Picture(int width, int height) {
        if (width < 1 || height < 1) throw new IllegalArgumentException("picture size " + width + "×" + height);
        if ((long) width * height > 200_000_000L) {
            throw new IllegalArgumentException("the picture would be " + width + "×" + height + " pixels; too large to draw");
        }
        this.width = width;
        this.height = height;
    }

    int width() {
        return width;
    }

    int height() {
        return height;
    }

    /** Width in pixels of {@code s} at {@code size} points, measured with the font the PNG uses. */
    static double textWidth(String s, float size, boolean bold) {
        Graphics2D g = SCRATCH.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
            FontMetrics fm = g.getFontMetrics(font(size, bold));
            return fm.getStringBounds(s, g).getWidth();
        } finally {
            g.dispose();
        }
    }

    private static Font font(float size, boolean bold) {
        return new Font(FONT, bold ? Font.BOLD : Font.PLAIN, 1).deriveFont(size);
    }

    void rect(double x, double y, double w, double h, Color fill) {
        shapes.add(new Rect(x, y, w, h, fill, null, null));
    }

    /** A filled cell with a tooltip (SVG {@code <title>}); the PNG ignores the tooltip. */
    void cell(double x, double y, double w, double h, Color fill, String title) {
        shapes.add(new Rect(x, y, w, h, fill, null, title));
    }

    void frame(double x, double y, double w, double h, Color stroke) {
        shapes.add(new Rect(x, y, w, h, null, stroke, null));
    }

    /** Text whose baseline starts, centres or ends at (x, y); vertical text reads bottom to top, anchored likewise along it. */
    void text(double x, double y, String text, float size, Anchor anchor, boolean vertical, boolean bold, Color color) {
        shapes.add(new Text(x, y, text, size, anchor, vertical, bold, color));
    }

    void line(double x1, double y1, double x2, double y2, Color color, float width) {
        shapes.add(new Line(x1, y1, x2, y2, color, width));
    }

    BufferedImage image() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            for (Shape s : shapes) {
                switch (s) {
                    case Rect r -> {
                        Rectangle2D.Double box = new Rectangle2D.Double(r.x(), r.y(), r.w(), r.h());
                        if (r.fill() != null) {
                            g.setColor(r.fill());
                            g.fill(box);
                        }
                        if (r.stroke() != null) {
                            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
                            g.setColor(r.stroke());
                            g.setStroke(new BasicStroke(1f));
                            g.draw(box);
                            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
                        }
                    }
                    case Line l -> {
                        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
                        g.setColor(l.color());
                        g.setStroke(new BasicStroke(l.width()));
                        g.draw(new java.awt.geom.Line2D.Double(l.x1(), l.y1(), l.x2(), l.y2()));
                        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
                    }
                    case Text t -> {
                        g.setFont(font(t.size(), t.bold()));
                        g.setColor(t.color());
                        double w = g.getFontMetrics().getStringBounds(t.text(), g).getWidth();
                        double shift = switch (t.anchor()) {
                            case START -> 0;
                            case MIDDLE -> -w / 2;
                            case END -> -w;
                        };
                        AffineTransform saved = g.getTransform();
                        g.translate(t.x(), t.y());
                        if (t.vertical()) g.rotate(-Math.PI / 2);
                        g.drawString(t.text(), (float) shift, 0f);
                        g.setTransform(saved);
                    }
                }
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    byte[] png() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image(), "png", out)) throw new IllegalStateException("no PNG writer in this Java runtime");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    String svg() {
        StringBuilder sb = new StringBuilder();
        sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(width).append(' ').append(height).append("\" font-family=\"")
                .append(FONT).append(", sans-serif\">\n");
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        for (Shape s : shapes) {
            switch (s) {
                case Rect r -> {
                    sb.append("<rect x=\"").append(n(r.x())).append("\" y=\"").append(n(r.y())).append("\" width=\"").append(n(r.w()))
                            .append("\" height=\"").append(n(r.h())).append("\" fill=\"").append(r.fill() == null ? "none" : hex(r.fill())).append('"');
                    if (r.stroke() != null) sb.append(" stroke=\"").append(hex(r.stroke())).append('"');
                    if (r.title() != null) sb.append("><title>").append(GraphFormats.xml(r.title())).append("</title></rect>\n");
                    else sb.append("/>\n");
                }
                case Line l -> sb.append("<line x1=\"").append(n(l.x1())).append("\" y1=\"").append(n(l.y1())).append("\" x2=\"")
                        .append(n(l.x2())).append("\" y2=\"").append(n(l.y2())).append("\" stroke=\"").append(hex(l.color()))
                        .append("\" stroke-width=\"").append(n(l.width())).append("\"/>\n");
                case Text t -> {
                    sb.append("<text x=\"").append(n(t.x())).append("\" y=\"").append(n(t.y())).append("\" font-size=\"").append(n(t.size()))
                            .append("\" fill=\"").append(hex(t.color())).append('"');
                    if (t.bold()) sb.append(" font-weight=\"bold\"");
                    if (t.anchor() != Anchor.START) sb.append(" text-anchor=\"").append(t.anchor() == Anchor.MIDDLE ? "middle" : "end").append('"');
                    if (t.vertical()) sb.append(" transform=\"rotate(-90 ").append(n(t.x())).append(' ').append(n(t.y())).append(")\"");
                    sb.append('>').append(GraphFormats.xml(t.text())).append("</text>\n");
                }
            }
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static String n(double v) {
        if (v == Math.rint(v)) return Long.toString((long) v);
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String hex(Color c) {
        return String.format(Locale.ROOT, "#%02x%02x%02x", c.getRed(), c.getGreen(), c.getBlue());
    }
}
