package dev.mlm4j.explorer;

import dev.mlm4j.testsupport.HeadlessChromium;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The explorer's HTML page, opened from disk in headless Chromium (Debian's chromium and chromedriver,
 * given explicitly so nothing is downloaded), driven like a reader would and checked against the Java side.
 */
class HtmlPageBrowserTest {
    static final String TEXT = "The dog chased the cat because it was [MASK].";

    static DirectionComparison runs;
    static Path dir, page;
    static HeadlessChromium chromium;
    static ChromeDriver driver;
    static int n;

    @BeforeAll
    static void open() throws IOException {
        runs = AttentionExplorer.compare(ExplorerModels.bertBaseUncased(), ExplorerModels.uncasedTokenizer(), TEXT, null, ExplorerOptions.DEFAULT);
        n = runs.bidirectional().length();
        dir = Files.createTempDirectory("mlm4j-html-test");
        page = dir.resolve("attention.html");
        Outputs.write(page, HtmlPage.of("bert-base-uncased", runs, 0, 0));
        chromium = HeadlessChromium.open();
        driver = chromium.driver();
    }

    @AfterAll
    static void close() throws IOException {
        if (chromium != null) chromium.close();
        HeadlessChromium.deleteTree(dir);
    }

    @BeforeEach
    void load() {
        driver.get(page.toUri().toString());
        assertEquals("layer 0, head 0, bidirectional", driver.findElement(By.id("status")).getText(), "the page's script ran");
    }

    List<WebElement> cells() {
        return driver.findElements(By.cssSelector("#matrix .cell"));
    }

    WebElement cell(int i, int j) {
        return driver.findElement(By.cssSelector("#matrix .cell[data-i='" + i + "'][data-j='" + j + "']"));
    }

    static String four(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    void assertMatrixShows(AttentionView v, int layer, int head) {
        double[][] a = v.attention(layer, head);
        for (int[] ij : new int[][] {{0, 0}, {1, 2}, {n - 1, 0}, {n - 1, n - 1}, {4, 3}, {3, 4}}) {
            int i = ij[0], j = ij[1];
            assertEquals(Math.abs(a[i][j] - Double.parseDouble(cell(i, j).getAttribute("data-w"))) < 1.5e-4 ? "ok" : four(a[i][j]),
                    "ok", "layer " + layer + " head " + head + " " + v.directionName() + " cell " + i + "," + j
                            + " shows " + cell(i, j).getAttribute("data-w"));
        }
    }

    @Test
    void theMatrixHasOneCellPerTokenPairWithTheModelsWeights() {
        assertEquals(n * n, cells().size());
        assertEquals(0, driver.findElements(By.cssSelector("#matrix .cell.masked")).size());
        assertMatrixShows(runs.bidirectional(), 0, 0);
        assertEquals(n, driver.findElements(By.cssSelector("#matrix .rowlab")).size());
        assertEquals("[MASK]", driver.findElement(By.cssSelector("#matrix .rowlab[data-i='9']")).getText());
    }

    @Test
    void choosingALayerAndHeadRedrawsEveryView() {
        new Select(driver.findElement(By.id("layer"))).selectByValue("7");
        new Select(driver.findElement(By.id("head"))).selectByValue("4");
        assertEquals("layer 7, head 4, bidirectional", driver.findElement(By.id("status")).getText());
        assertMatrixShows(runs.bidirectional(), 7, 4);
        new Select(driver.findElement(By.id("head"))).selectByVisibleText("mean");
        assertMatrixShows(runs.bidirectional(), 7, AttentionView.MEAN);
        assertEquals(1, driver.findElements(By.cssSelector("#modelview canvas.selected")).size());
        assertEquals("-1", driver.findElement(By.cssSelector("#modelview canvas.selected")).getAttribute("data-head"));
    }

    @Test
    void hoveringATokenShowsWhereItsAttentionGoes() {
        int dog = 2;
        new Select(driver.findElement(By.id("layer"))).selectByValue("3");
        new Actions(driver).moveToElement(driver.findElement(By.cssSelector("#headview text.left[data-i='" + dog + "']"))).perform();
        String info = driver.findElement(By.id("info")).getText();
        double[] row = runs.bidirectional().attention(3, 0)[dog];
        int best = 0;
        for (int j = 1; j < n; j++) if (row[j] > row[best]) best = j;
        assertTrue(info.startsWith("dog (token 2) attends to: " + runs.bidirectional().tokens().get(best).text() + " "
                + String.format(Locale.ROOT, "%.3f", row[best])), info);
        List<WebElement> shown = driver.findElements(By.cssSelector("#headview line.attn")).stream().filter(WebElement::isDisplayed).toList();
        assertFalse(shown.isEmpty());
        assertTrue(shown.stream().allMatch(l -> l.getAttribute("data-i").equals("" + dog)), "only the hovered token's lines stay");
        assertEquals(n, driver.findElements(By.cssSelector("#matrix .cell.hot")).size(), "its matrix row is highlighted");
    }

    @Test
    void theCausalSwitchEmptiesTheUpperTriangle() {
        driver.findElement(By.id("causal")).click();
        assertEquals("layer 0, head 0, causal", driver.findElement(By.id("status")).getText());
        assertEquals("causal", driver.findElement(By.id("dirtag")).getText());
        assertEquals(n * n, cells().size());
        List<WebElement> masked = driver.findElements(By.cssSelector("#matrix .cell.masked"));
        assertEquals(n * (n - 1) / 2, masked.size());
        for (WebElement c : masked) {
            assertTrue(Integer.parseInt(c.getAttribute("data-j")) > Integer.parseInt(c.getAttribute("data-i")), "masked cells lie above the diagonal");
            assertEquals("0.0000", c.getAttribute("data-w"));
        }
        assertMatrixShows(runs.causal(), 0, 0);
        assertEquals("1.0000", cell(0, 0).getAttribute("data-w"), "[CLS] sees only itself");
        new Actions(driver).moveToElement(driver.findElement(By.cssSelector("#headview text.left[data-i='3']"))).perform();
        assertTrue(driver.findElement(By.id("info")).getText().endsWith("sees tokens 0–3 only"));
        boolean forward = driver.findElements(By.cssSelector("#headview line.attn")).stream()
                .anyMatch(l -> Integer.parseInt(l.getAttribute("data-j")) > Integer.parseInt(l.getAttribute("data-i")));
        assertFalse(forward, "no head-view line points forward under the causal mask");
        driver.findElement(By.id("causal")).click();
        assertEquals(0, driver.findElements(By.cssSelector("#matrix .cell.masked")).size());
    }

    @Test
    void theGraphViewKeepsTheTopKEdgesPerToken() {
        WebElement graph = driver.findElement(By.id("graph"));
        assertEquals("" + n, graph.getAttribute("data-nodes"));
        assertEquals("" + 2 * n, graph.getAttribute("data-edges"));
        assertEquals(2 * n, driver.findElements(By.cssSelector("#graph path.edge")).size());
        driver.findElement(By.id("dropspecial")).click();
        assertEquals("" + (n - 2), graph.getAttribute("data-nodes"));
        assertEquals((n - 2) + " nodes, " + 2 * (n - 2) + " edges (top-2 per token, special tokens dropped)",
                driver.findElement(By.id("graphinfo")).getText());
        // The page's heaviest edge out of "dog" is the Java graph's, after the same drop and renormalisation.
        AttentionGraph g = runs.bidirectional().graph(0, 0).withoutSpecialTokens(true).pruned(Pruning.topK(1));
        AttentionGraph.Edge top = g.edges().stream().filter(e -> e.source() == 2).findFirst().orElseThrow();
        WebElement first = driver.findElement(By.cssSelector("#graph path.edge[data-source='2']"));
        assertEquals("" + top.target(), first.getAttribute("data-target"));
    }

    @Test
    void theModelViewShowsEveryHeadAndSelectsOnClick() {
        List<WebElement> thumbs = driver.findElements(By.cssSelector("#modelview canvas"));
        assertEquals(12 * 13, thumbs.size(), "12 layers × (12 heads + mean)");
        driver.findElement(By.cssSelector("#modelview canvas[data-layer='9'][data-head='11']")).click();
        assertEquals("layer 9, head 11, bidirectional", driver.findElement(By.id("status")).getText());
        assertEquals("9", new Select(driver.findElement(By.id("layer"))).getFirstSelectedOption().getAttribute("value"));
        assertMatrixShows(runs.bidirectional(), 9, 11);
    }

    @Test
    void theFillMaskTableComparesBothMasks() {
        WebElement table = driver.findElement(By.id("predictions"));
        assertTrue(table.isDisplayed());
        String bi = driver.findElement(By.cssSelector("#predtable td.bi")).getText();
        String ca = driver.findElement(By.cssSelector("#predtable td.ca")).getText();
        assertTrue(bi.startsWith(runs.bidirectional().predictions().getFirst().best().token() + " "), bi);
        assertTrue(ca.startsWith(runs.causal().predictions().getFirst().best().token() + " "), ca);
    }

    @Test
    void thePageNeedsNoNetwork() throws IOException {
        String html = Files.readString(page);
        String withoutSvgNamespace = html.replace("http://www.w3.org/2000/svg", "");
        assertFalse(withoutSvgNamespace.contains("http://") || withoutSvgNamespace.contains("https://"), "no external URL");
        assertFalse(html.contains("<script src") || html.contains("<link"), "no external scripts or styles");
        Object errors = ((JavascriptExecutor) driver).executeScript(
                "return performance.getEntriesByType('resource').map(e => e.name).join(' ')");
        assertEquals("", errors, "the page loaded nothing besides itself");
    }
}
