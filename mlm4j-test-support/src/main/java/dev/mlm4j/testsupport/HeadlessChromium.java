package dev.mlm4j.testsupport;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Headless Chromium for the page tests (the explorer's HTML page in mlm4j-core, the server's attention page): Debian's
 * {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver}, given explicitly so nothing is downloaded, with a
 * throw-away profile, a window large enough for the whole heatmap, and no background network. One copy of that setup:
 * <pre>{@code
 * static HeadlessChromium chromium;
 * @BeforeAll static void open() throws IOException { chromium = HeadlessChromium.open(); }
 * @AfterAll static void close() throws IOException { if (chromium != null) chromium.close(); }
 * ... chromium.driver().get(url) ...
 * }</pre>
 */
public final class HeadlessChromium implements AutoCloseable {
    private final Path profile;
    private final ChromeDriver driver;

    private HeadlessChromium(Path profile, ChromeDriver driver) {
        this.profile = profile;
        this.driver = driver;
    }

    /** Starts chromedriver and a headless Chromium on a new temporary profile. */
    public static HeadlessChromium open() throws IOException {
        Path profile = Files.createTempDirectory("mlm4j-chromium-profile");
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1600,1400", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver")).build();
        try {
            return new HeadlessChromium(profile, new ChromeDriver(service, options));
        } catch (RuntimeException e) {
            deleteTree(profile);
            throw e;
        }
    }

    public ChromeDriver driver() {
        return driver;
    }

    /** Quits the browser and deletes its profile. */
    @Override
    public void close() throws IOException {
        try {
            driver.quit();
        } finally {
            deleteTree(profile);
        }
    }

    /** Deletes {@code dir} and everything below it (null or gone: nothing). */
    public static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
