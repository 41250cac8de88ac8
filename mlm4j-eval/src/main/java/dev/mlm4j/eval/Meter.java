package dev.mlm4j.eval;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A progress bar for counted work (sentences, passages, epochs) on stderr:
 * <pre>mlm causal [=============>            ]  48%  960/2000 sentences  13.1/s  79s left</pre>
 * Like {@link dev.mlm4j.util.Progress} (which counts bytes): redrawn in place on a terminal at most ten
 * times a second, a few plain lines elsewhere (start, each quarter, end), and {@code MLM4J_PROGRESS=bar|lines|off}
 * (or {@code -Dmlm4j.progress}) overrides the choice. One job at a time.
 */
public interface Meter {

    /** A job of {@code total} {@code unit}s begins. */
    void start(String label, long total, String unit);

    /** Units done so far (absolute). */
    void update(long done);

    /** The job ended. */
    void finish();

    Meter NONE = new Meter() {
        @Override public void start(String label, long total, String unit) {}
        @Override public void update(long done) {}
        @Override public void finish() {}
    };

    /** The meter the CLI uses: a bar when stderr is a terminal, lines otherwise, unless overridden. */
    static Meter stderr() {
        String forced = System.getProperty("mlm4j.progress", System.getenv("MLM4J_PROGRESS"));
        String mode = forced == null ? "" : forced.trim().toLowerCase(Locale.ROOT);
        if (mode.equals("off") || mode.equals("none") || mode.equals("0") || mode.equals("false")) return NONE;
        boolean bar = mode.equals("bar") || (!mode.equals("lines") && !mode.equals("plain") && stderrIsTerminal());
        String columns = System.getenv("COLUMNS");
        int width = columns != null && columns.matches("\\d+") ? Integer.parseInt(columns) : 100;
        return new Console(System.err, bar, System::nanoTime, width);
    }

    private static boolean stderrIsTerminal() {
        try {
            String t = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return (t.startsWith("/dev/pts/") || t.startsWith("/dev/tty")) && !"dumb".equals(System.getenv("TERM"));
        } catch (Exception notLinux) {
            return System.console() != null;
        }
    }

    /** The drawing meter; {@code bar=false} prints plain lines. */
    final class Console implements Meter {
        private static final long REDRAW_NANOS = 100_000_000L;
        private final PrintStream out;
        private final boolean bar;
        private final LongSupplier clock;
        private final int width;
        private String label = "", unit = "";
        private long total, done, startNanos, lastDraw;
        private int lastQuarter;
        private boolean running;

        public Console(PrintStream out, boolean bar, LongSupplier clock, int width) {
            this.out = out;
            this.bar = bar;
            this.clock = clock;
            this.width = Math.max(40, width);
        }

        @Override
        public synchronized void start(String label, long total, String unit) {
            if (running) finish();
            this.label = label;
            this.total = total;
            this.unit = unit;
            this.done = 0;
            this.startNanos = clock.getAsLong();
            this.lastDraw = Long.MIN_VALUE;
            this.lastQuarter = 0;
            this.running = true;
            if (bar) draw(startNanos);
            else out.println(label + ": " + total + " " + unit + " …");
            out.flush();
        }

        @Override
        public synchronized void update(long done) {
            if (!running) return;
            this.done = done;
            long now = clock.getAsLong();
            if (bar) {
                if (now - lastDraw >= REDRAW_NANOS) draw(now);
            } else if (total > 0) {
                int q = (int) Math.min(4, done * 4 / total);
                if (q > lastQuarter && q < 4) {
                    lastQuarter = q;
                    // the percentage done, not the quarter crossed: 2 of 5 epochs is 40 %, not 25 %
                    out.println(label + ": " + done * 100 / total + "% (" + done + "/" + total + " " + unit + ", " + rate(now) + ")");
                    out.flush();
                }
            }
        }

        @Override
        public synchronized void finish() {
            if (!running) return;
            running = false;
            long now = clock.getAsLong();
            if (bar) {
                draw(now);
                out.println();
            } else {
                out.println(label + ": " + done + " " + unit + " in " + String.format(Locale.ROOT, "%.1f s", (now - startNanos) / 1e9)
                        + " (" + rate(now) + ")");
            }
            out.flush();
        }

        /** The bar line (without the carriage return); package-private for tests. */
        synchronized String line(long now) {
            long elapsed = now - startNanos;
            StringBuilder tail = new StringBuilder();
            if (total > 0) tail.append(String.format(Locale.ROOT, " %3d%%", Math.min(100, done * 100 / total)));
            tail.append("  ").append(done).append(total > 0 ? "/" + total : "").append(' ').append(unit);
            tail.append("  ").append(rate(now));
            if (total > 0 && done > 0 && done < total && elapsed > 1_000_000_000L) {
                tail.append("  ").append(Math.max(1, (long) ((double) elapsed * (total - done) / done / 1e9))).append("s left");
            } else if (total > 0 && done >= total) {
                tail.append(String.format(Locale.ROOT, "  %.1f s", elapsed / 1e9));
            }
            StringBuilder line = new StringBuilder(label);
            int barWidth = width - 1 - label.length() - tail.length() - 3;
            if (total > 0 && barWidth >= 10) {
                int filled = (int) Math.min(barWidth, done * barWidth / total);
                line.append(" [");
                for (int i = 0; i < barWidth; i++) line.append(i < filled ? '=' : i == filled ? '>' : ' ');
                line.append(']');
            }
            line.append(tail);
            return line.length() < width ? line.toString() : line.substring(0, width - 1);
        }

        private String rate(long now) {
            double s = (now - startNanos) / 1e9;
            return s <= 0 ? "–/s" : String.format(Locale.ROOT, "%.1f/s", done / s);
        }

        private void draw(long now) {
            lastDraw = now;
            out.print('\r' + line(now) + "\u001b[K");
            out.flush();
        }
    }
}
