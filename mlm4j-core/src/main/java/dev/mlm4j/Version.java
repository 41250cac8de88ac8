package dev.mlm4j;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * mlm4j's version: the Maven project version, written into {@code dev/mlm4j/version.properties} when mlm4j-core is
 * built (resource filtering). The one source of the version string that {@code ./mlm4j --version}, the server's
 * {@code /info} and {@code /openapi.json} show.
 */
public final class Version {
    private Version() {}

    private static final String VERSION = read();

    /** The version, e.g. {@code 0.1.0-SNAPSHOT}. */
    public static String get() {
        return VERSION;
    }

    /**
     * The kernels this JVM runs on and their threads, e.g. {@code vector(512-bit), 2 threads} ({@code scalar, …} without
     * the Vector API): what a benchmark or a bug report needs besides the version. Loads the kernels.
     */
    public static String kernels() {
        return dev.mlm4j.kernels.Kernels.get().name() + ", " + dev.mlm4j.kernels.Parallel.threads() + " threads";
    }

    private static String read() {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in == null) throw new IllegalStateException("dev/mlm4j/version.properties is missing from mlm4j-core's jar");
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String v = p.getProperty("version");
        if (v == null || v.isBlank() || v.contains("${")) {
            throw new IllegalStateException("dev/mlm4j/version.properties has no filtered version (" + v + "): build mlm4j-core with Maven");
        }
        return v.strip();
    }
}
