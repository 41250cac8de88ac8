package dev.mlm4j.util;

import java.io.Console;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * A progress bar on stderr. On a terminal it redraws one line ({@code \r}) at most ten times a second:
 * <pre>downloading bert-base-uncased [=========>          ]  48%  196.2/408.2 MB  35.1 MB/s  6s left</pre>
 * Elsewhere (CI logs, files) it prints a few plain lines instead: the start, each quarter, the end.
 * {@code MLM4J_PROGRESS=bar|lines|off} (or {@code -Dmlm4j.progress=…}) overrides the choice.
 */
public final class Progress implements ProgressListener {

    public enum Mode { BAR, LINES, OFF }

    private static final long REDRAW_NANOS = 100_000_000L;
    private static final int DEFAULT_WIDTH = 80;

    private final PrintStream out;
    private final Mode mode;
    private final LongSupplier nanoClock;
    private final IntSupplier widthSource;
    private int width;   // 0 until the first bar is drawn: asking the terminal forks `stty`, which a command that draws no bar should not pay

    private String label = "";
    private long total = -1, done, startNanos, lastDrawNanos;
    private int lastQuarter;
    private boolean running;

    public Progress(PrintStream out, Mode mode, LongSupplier nanoClock, int width) {
        this(out, mode, nanoClock, () -> width);
    }

    private Progress(PrintStream out, Mode mode, LongSupplier nanoClock, IntSupplier width) {
        this.out = out;
        this.mode = mode;
        this.nanoClock = nanoClock;
        this.widthSource = width;
    }

    private int width() {
        if (width == 0) width = Math.max(20, widthSource.getAsInt());
        return width;
    }

    /** Progress on stderr: a bar when stderr is a terminal, plain lines otherwise, unless overridden. */
    public static ProgressListener stderr() {
        Mode mode = chosenMode();
        if (mode == Mode.OFF) return NONE;
        return new Progress(System.err, mode, System::nanoTime, Progress::terminalWidth);
    }

    static Mode chosenMode() {
        String forced = System.getProperty("mlm4j.progress", System.getenv("MLM4J_PROGRESS"));
        if (forced != null && !forced.isBlank()) {
            switch (forced.trim().toLowerCase(Locale.ROOT)) {
                case "bar": return Mode.BAR;
                case "lines", "plain": return Mode.LINES;
                case "off", "none", "0", "false": return Mode.OFF;
                default: break;
            }
        }
        return stderrIsTerminal() && !"dumb".equals(System.getenv("TERM")) ? Mode.BAR : Mode.LINES;
    }

    /** Whether fd 2 is a terminal: on Linux from /proc/self/fd/2, elsewhere approximated by {@link Console#isTerminal}. */
    static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (Exception notLinux) {
            Console console = System.console();
            return console != null && console.isTerminal();
        }
    }

    /** $COLUMNS when exported, else what {@code stty size} says of the controlling terminal, else 80. */
    private static int terminalWidth() {
        try {
            String columns = System.getenv("COLUMNS");
            if (columns != null && !columns.isBlank()) return Integer.parseInt(columns.trim());
            Process stty = new ProcessBuilder("stty", "size")
                    .redirectInput(new File("/dev/tty"))
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            String size = new String(stty.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (stty.waitFor(2, TimeUnit.SECONDS) && size.matches("\\d+ \\d+")) return Integer.parseInt(size.split(" ")[1]);
        } catch (IOException | NumberFormatException | InterruptedException e) {
            // not a terminal we can ask
        }
        return DEFAULT_WIDTH;
    }

    @Override
    public synchronized void start(String label, long total) {
        if (running) finish();
        this.label = label;
        this.total = total;
        this.done = 0;
        this.startNanos = nanoClock.getAsLong();
        this.lastDrawNanos = Long.MIN_VALUE;
        this.lastQuarter = 0;
        this.running = true;
        if (mode == Mode.LINES) {
            out.println(label + (total > 0 ? " (" + bytes(total) + ")" : "") + " …");
            out.flush();
        } else if (mode == Mode.BAR) {
            draw(startNanos);
        }
    }

    @Override
    public synchronized void update(long done) {
        if (!running) return;
        this.done = done;
        long now = nanoClock.getAsLong();
        if (mode == Mode.BAR) {
            if (now - lastDrawNanos >= REDRAW_NANOS) draw(now);
        } else if (mode == Mode.LINES && total > 0) {
            int quarter = (int) Math.min(4, done * 4 / total);
            if (quarter > lastQuarter && quarter < 4) {
                lastQuarter = quarter;
                out.println(label + ": " + done * 100 / total + "% (" + bytes(done) + " of " + bytes(total) + ", "
                        + rate(done, now - startNanos) + ")");
                out.flush();
            }
        }
    }

    @Override
    public synchronized void finish() {
        if (!running) return;
        running = false;
        long now = nanoClock.getAsLong();
        if (mode == Mode.BAR) {
            draw(now);
            out.println();
        } else if (mode == Mode.LINES) {
            boolean complete = total <= 0 || done >= total;
            out.println(label + ": " + (complete ? "done, " + bytes(done) : "stopped at " + bytes(done) + " of " + bytes(total))
                    + " in " + seconds(now - startNanos) + " (" + rate(done, now - startNanos) + ")");
        }
        out.flush();
    }

    /** The bar line for the current state (without {@code \r}); package-private for tests. */
    synchronized String barLine(long now) {
        long elapsed = now - startNanos;
        StringBuilder tail = new StringBuilder();
        if (total > 0) {
            tail.append(String.format(Locale.ROOT, " %3d%%  %s", Math.min(100, done * 100 / total), fraction(done, total)));
        } else {
            tail.append("  ").append(bytes(done));
        }
        tail.append("  ").append(rate(done, elapsed));
        if (total > 0 && done > 0 && done < total && elapsed > 1_000_000_000L) {
            long leftNanos = (long) ((double) elapsed * (total - done) / done);
            tail.append("  ").append(Math.max(1, leftNanos / 1_000_000_000L)).append("s left");
        } else if (total > 0 && done >= total) {
            tail.append("  ").append(seconds(elapsed));
        }
        int width = width(), barWidth = width - 1 - label.length() - tail.length() - 3;
        StringBuilder line = new StringBuilder(label);
        if (total > 0 && barWidth >= 10) {
            int filled = (int) Math.min(barWidth, done * barWidth / total);
            line.append(" [");
            for (int i = 0; i < barWidth; i++) {
                line.append(i < filled ? '=' : i == filled ? '>' : ' ');
            }
            line.append(']');
        }
        line.append(tail);
        return line.length() < width ? line.toString() : line.substring(0, width - 1); // never wrap: \r could not undo it
    }

    private void draw(long now) {
        lastDrawNanos = now;
        out.print('\r' + barLine(now) + "\u001b[K");
        out.flush();
    }

    /** 408185950 → "408.2 MB" (decimal units, like the sizes registries print). */
    public static String bytes(long n) {
        if (n < 1000) return n + " B";
        if (n < 1_000_000) return String.format(Locale.ROOT, "%.1f kB", n / 1e3);
        if (n < 1_000_000_000) return String.format(Locale.ROOT, "%.1f MB", n / 1e6);
        return String.format(Locale.ROOT, "%.2f GB", n / 1e9);
    }

    /** done/total in the unit of total: "196.2/408.2 MB". */
    private static String fraction(long done, long total) {
        if (total < 1000) return done + "/" + bytes(total);
        double unit = total < 1_000_000 ? 1e3 : total < 1_000_000_000 ? 1e6 : 1e9;
        String t = bytes(total);
        return String.format(Locale.ROOT, unit == 1e9 ? "%.2f/%s" : "%.1f/%s", done / unit, t);
    }

    /** Bytes per second in the unit that shows it (a small file read at 40 kB/s is not "0.0 MB/s"). */
    static String rate(long bytes, long nanos) {
        if (nanos <= 0) return "– MB/s";
        double perSecond = bytes / (nanos / 1e9);
        if (perSecond < 1e3) return String.format(Locale.ROOT, "%.0f B/s", perSecond);
        if (perSecond < 1e6) return String.format(Locale.ROOT, "%.1f kB/s", perSecond / 1e3);
        if (perSecond < 1e9) return String.format(Locale.ROOT, "%.1f MB/s", perSecond / 1e6);
        return String.format(Locale.ROOT, "%.2f GB/s", perSecond / 1e9);
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }
}
