package dev.mlm4j.eval;

import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.kernels.Parallel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Where and how a measurement was made, printed under every table: date, machine, JVM, kernels, model,
 * seed and wall-clock time.
 */
public record RunInfo(String date, String machine, int cores, String jvm, String kernels, int threads, String model,
                      long seed, double elapsedSeconds, String command) {

    /** The facts known at the start of a run; {@link #finished} adds the elapsed time. */
    public static RunInfo start(String model, long seed) {
        return new RunInfo(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME).replaceAll("\\.\\d+", ""),
                cpuModel(), Runtime.getRuntime().availableProcessors(), "Java " + Runtime.version(),
                Kernels.get().getClass().getSimpleName(), Parallel.threads(), model, seed, 0, null);
    }

    public RunInfo finished(long elapsedNanos) {
        return new RunInfo(date, machine, cores, jvm, kernels, threads, model, seed, elapsedNanos / 1e9, command);
    }

    /** The command line that reproduces the run, printed with the tables. */
    public RunInfo withCommand(String command) {
        return new RunInfo(date, machine, cores, jvm, kernels, threads, model, seed, elapsedSeconds, command);
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).strip();
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("date", date);
        m.put("machine", machine);
        m.put("cores", cores);
        m.put("jvm", jvm);
        m.put("kernels", kernels);
        m.put("threads", threads);
        m.put("model", model);
        m.put("seed", seed);
        m.put("elapsed_seconds", Math.round(elapsedSeconds * 10) / 10.0);
        if (command != null) m.put("command", command);
        return m;
    }

    /** One Markdown line: "2026-11-26T07:10:00Z · AMD EPYC 7571 (2 cores) · Java 25 · VectorKernels · bert-base-uncased · seed 1 · 1,234 s". */
    public String markdownLine() {
        return String.format(Locale.ROOT, "%s · %s (%d cores) · %s · %s, %d threads · model %s · seed %d · %.0f s",
                date, machine, cores, jvm, kernels, threads, model, seed, elapsedSeconds)
                + (command == null ? "" : " · `" + command + "`");
    }
}
