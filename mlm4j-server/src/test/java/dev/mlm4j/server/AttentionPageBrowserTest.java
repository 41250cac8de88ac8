package dev.mlm4j.server;

import dev.mlm4j.testsupport.HeadlessChromium;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The page at / in headless Chromium (Debian's chromium and chromedriver, given explicitly so nothing is
 * downloaded), live against a running server: type a sentence, ask for its attention, and check the
 * heatmap, the causal switch and the fill-mask guesses.
 */
class AttentionPageBrowserTest {

    static MlmServer server;
    static ChromeDriver driver;
    static HeadlessChromium chromium;

    @BeforeAll
    static void open() throws IOException {
        server = TestServers.start(TestServers.options(), TestServers.bert());
        chromium = HeadlessChromium.open();
        driver = chromium.driver();
    }

    @AfterAll
    static void close() throws IOException {
        if (chromium != null) chromium.close();
        if (server != null) server.stop();
    }

    @Test
    void aTypedSentenceGivesItsHeatmapCausalEmptiesTheUpperTriangleAndMasksAreFilled() {
        String sentence = "The chef cooked a [MASK] meal.";
        // The number of tokens, from the server's own tokenizer.
        Http http = new Http(server.baseUrl());
        int n = http.post("/tokenize", Map.of("inputs", sentence, "model", TestServers.BERT)).json().get(0).size();
        assertEquals(9, n, "[CLS] the chef cooked a [MASK] meal . [SEP]");

        driver.get(server.baseUrl() + "/");
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
        wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
        new Select(driver.findElement(By.id("model"))).selectByValue(TestServers.BERT);
        WebElement text = driver.findElement(By.id("text"));
        text.clear();
        text.sendKeys(sentence);
        driver.findElement(By.id("go")).click();
        wait = new WebDriverWait(driver, Duration.ofSeconds(120));
        wait.until(d -> List.of("shown", "error").contains(d.findElement(By.tagName("body")).getDomAttribute("data-state")));
        assertEquals("", driver.findElement(By.id("error")).getText());

        driver.switchTo().frame(driver.findElement(By.id("view")));
        try {
            new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> !d.findElements(By.cssSelector("#matrix .cell")).isEmpty());
            assertEquals("layer 0, head 0, bidirectional", driver.findElement(By.id("status")).getText());
            List<WebElement> cells = driver.findElements(By.cssSelector("#matrix .cell"));
            assertEquals(n * n, cells.size(), "one heatmap cell per pair of tokens");
            assertEquals(0, driver.findElements(By.cssSelector("#matrix .cell.masked")).size(), "bidirectional: nothing masked");
            assertTrue(upperTriangleWeight() > 0, "bidirectional: tokens look right too");

            // Another layer and head.
            new Select(driver.findElement(By.id("layer"))).selectByValue("3");
            new Select(driver.findElement(By.id("head"))).selectByValue("7");
            assertEquals("layer 3, head 7, bidirectional", driver.findElement(By.id("status")).getText());
            assertEquals(n * n, driver.findElements(By.cssSelector("#matrix .cell")).size());

            // The causal switch: every cell above the diagonal is empty.
            driver.findElement(By.id("causal")).click();
            assertEquals("layer 3, head 7, causal", driver.findElement(By.id("status")).getText());
            assertEquals(n * n, driver.findElements(By.cssSelector("#matrix .cell")).size());
            assertEquals(n * (n - 1) / 2, driver.findElements(By.cssSelector("#matrix .cell.masked")).size());
            assertEquals(0.0, upperTriangleWeight(), "causal: no weight above the diagonal");
            for (WebElement c : driver.findElements(By.cssSelector("#matrix .cell.masked"))) {
                assertTrue(Integer.parseInt(c.getDomAttribute("data-j")) > Integer.parseInt(c.getDomAttribute("data-i")));
            }

            // Fill-mask guesses for the [MASK], both directions.
            WebElement preds = driver.findElement(By.id("predictions"));
            assertTrue(preds.isDisplayed(), "the fill-mask panel is shown for a text with [MASK]");
            String bi = driver.findElement(By.cssSelector("#predtable td.bi")).getText();
            String ca = driver.findElement(By.cssSelector("#predtable td.ca")).getText();
            assertTrue(!bi.isBlank() && !ca.isBlank(), bi + " / " + ca);
            String best = http.post("/fill-mask", Map.of("inputs", sentence, "top_k", 1)).json().get(0).get("token_str").asText();
            assertTrue(bi.startsWith(best + " "), "the page's best guess is /fill-mask's: " + best + " vs " + bi);
        } finally {
            driver.switchTo().defaultContent();
        }
    }

    @Test
    void anEmptyTextShowsTheServersError() {
        driver.get(server.baseUrl() + "/");
        new WebDriverWait(driver, Duration.ofSeconds(60))
                .until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
        driver.findElement(By.id("text")).clear();
        driver.findElement(By.id("go")).click();
        new WebDriverWait(driver, Duration.ofSeconds(60))
                .until(d -> "error".equals(d.findElement(By.tagName("body")).getDomAttribute("data-state")));
        assertTrue(driver.findElement(By.id("error")).getText().startsWith("400"), driver.findElement(By.id("error")).getText());
    }

    private static double upperTriangleWeight() {
        double sum = 0;
        for (WebElement c : driver.findElements(By.cssSelector("#matrix .cell"))) {
            if (Integer.parseInt(c.getDomAttribute("data-j")) > Integer.parseInt(c.getDomAttribute("data-i"))) {
                sum += Double.parseDouble(c.getDomAttribute("data-w"));
            }
        }
        return sum;
    }
}
