package dev.mlm4j.explorer;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Heatmaps of the real model, written to PNG and SVG and read back. */
class HeatmapTest {
    static AttentionView bi, causal;

    @BeforeAll
    static void run() {
        var model = ExplorerModels.bertBaseUncased();
        var tok = ExplorerModels.uncasedTokenizer();
        bi = AttentionExplorer.run(model, tok, "o cão corre", ExplorerOptions.DEFAULT);
        causal = AttentionExplorer.run(model, tok, "o cão corre", ExplorerOptions.DEFAULT.withCausal(true));
    }

    static Document xml(String s) throws Exception {
        return DocumentBuilderFactory.newDefaultNSInstance().newDocumentBuilder().parse(new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void pngReadsBackWithTheDrawnSizeAndColours(@TempDir Path dir) throws IOException {
        Heatmap h = Heatmap.of(bi, 0, 0, "bert-base-uncased");
        Path png = dir.resolve("h.png");
        Outputs.write(png, h.png());
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, "ImageIO reads the PNG");
        assertEquals(h.width(), img.getWidth());
        assertEquals(h.height(), img.getHeight());
        long blue = 0;
        for (int y = 0; y < img.getHeight(); y++) for (int x = 0; x < img.getWidth(); x++) {
            Color c = new Color(img.getRGB(x, y));
            if (c.getBlue() > c.getRed() + 60) blue++;
        }
        assertTrue(blue > 1000, "the matrix is drawn in blues: " + blue + " pixels");
    }

    @Test
    void svgParsesWithOneCellPerTokenPairAndTheTokensOnBothAxes() throws Exception {
        int n = bi.length();
        Document d = xml(Heatmap.of(bi, 3, AttentionView.MEAN, "bert-base-uncased").svg());
        assertEquals("svg", d.getDocumentElement().getLocalName());
        NodeList titles = d.getElementsByTagNameNS("http://www.w3.org/2000/svg", "title");
        assertEquals(n * n, titles.getLength(), "one cell with a tooltip per (i, j)");
        double[][] a = bi.attention(3, AttentionView.MEAN);
        assertEquals(bi.tokens().get(1).text() + " → " + bi.tokens().get(2).text() + ": " + String.format(java.util.Locale.ROOT, "%.4f", a[1][2]),
                titles.item(n + 2).getTextContent());
        NodeList texts = d.getElementsByTagNameNS("http://www.w3.org/2000/svg", "text");
        long cao = 0;
        for (int k = 0; k < texts.getLength(); k++) if (texts.item(k).getTextContent().equals("cao")) cao++;
        assertEquals(2, cao, "the uncased model strips the accent: 'cao' labels a row and a column");
        assertTrue(((Element) texts.item(0)).getTextContent().contains("layer 3, mean over heads"));
    }

    @Test
    void causalHeatmapLeavesTheUpperTriangleWhite() throws Exception {
        int n = causal.length();
        Document d = xml(Heatmap.of(causal, 5, 1, "bert-base-uncased").svg());
        NodeList rects = d.getElementsByTagNameNS("http://www.w3.org/2000/svg", "rect");
        int white = 0, cells = 0;
        for (int k = 0; k < rects.getLength(); k++) {
            Element r = (Element) rects.item(k);
            if (r.getElementsByTagNameNS("*", "title").getLength() == 0) continue;
            cells++;
            String title = r.getTextContent();
            boolean zero = title.endsWith(": 0.0000");
            if (zero) white++;
            assertEquals(zero, r.getAttribute("fill").equals("#ffffff"), title);
        }
        assertEquals(n * n, cells);
        assertEquals(n * (n - 1) / 2, white, "exactly the cells above the diagonal are empty");
    }

    @Test
    void theGridHasAPanelPerLayerAndHeadPlusTheMean() throws Exception {
        Heatmap g = Heatmap.grid(bi, "bert-base-uncased");
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(g.png()));
        assertEquals(g.width(), img.getWidth());
        Document d = xml(g.svg());
        NodeList texts = d.getElementsByTagNameNS("http://www.w3.org/2000/svg", "text");
        List<String> all = new java.util.ArrayList<>();
        for (int k = 0; k < texts.getLength(); k++) all.add(texts.item(k).getTextContent());
        for (int l = 0; l < 12; l++) assertTrue(all.contains("L" + l));
        for (int h = 0; h < 12; h++) assertTrue(all.contains("H" + h));
        assertTrue(all.contains("mean"));
        long frames = 0;
        NodeList rects = d.getElementsByTagNameNS("http://www.w3.org/2000/svg", "rect");
        for (int k = 0; k < rects.getLength(); k++) if ("none".equals(((Element) rects.item(k)).getAttribute("fill"))) frames++;
        assertEquals(12 * 13, frames, "one framed panel per layer × (heads + mean)");
    }

    @Test
    void outputsAreWrittenWholeOrNotAtAll(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("no-such-folder").resolve("x.png");
        IOException e = assertThrows(IOException.class, () -> Outputs.write(missing, new byte[] {1, 2, 3}));
        assertTrue(e.getMessage().startsWith("cannot write "), e.getMessage());
        assertFalse(Files.exists(missing));
        IOException folder = assertThrows(IOException.class, () -> Outputs.write(dir, new byte[] {1}));
        assertTrue(folder.getMessage().endsWith("it is a folder"));
        Path ok = dir.resolve("ok.txt");
        Outputs.write(ok, "first");
        Outputs.write(ok, "second");
        assertEquals("second", Files.readString(ok));
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(ok)),
                "not the temporary file's private permissions");
        try (var s = Files.list(dir)) {
            assertEquals(List.of("ok.txt"), s.map(p -> p.getFileName().toString()).toList(), "no temporary files left behind");
        }
    }
}
