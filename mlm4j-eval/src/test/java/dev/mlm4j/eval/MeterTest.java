package dev.mlm4j.eval;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The counted progress bar: percent, count, rate and time left; plain lines off a terminal. */
class MeterTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final AtomicLong clock = new AtomicLong();

    @Test
    void theBarShowsCountRateAndTimeLeft() {
        Meter.Console m = new Meter.Console(out, true, clock::get, 100);
        m.start("mlm causal", 2000, "masks");
        clock.set(10_000_000_000L);
        m.update(500);
        String line = m.line(clock.get());
        assertTrue(line.startsWith("mlm causal [=========="), line);
        assertTrue(line.endsWith("]  25%  500/2000 masks  50.0/s  30s left"), line);
        assertEquals(99, line.length(), line);
    }

    @Test
    void offATerminalItPrintsQuartersAndTheEnd() {
        String[] lines = epochsOffATerminal("pos head", 20, 500_000_000L);
        assertEquals("pos head: 20 epochs …", lines[0]);
        assertEquals("pos head: 25% (5/20 epochs, 2.0/s)", lines[1]);
        assertEquals(5, lines.length, String.join("|", lines));
        assertEquals("pos head: 20 epochs in 10.0 s (2.0/s)", lines[4]);
    }

    @Test
    void aLinePrintedAtAQuarterSaysThePercentageDone() {
        // issue 14: five epochs printed "25% (2/5 epochs)"; 2 of 5 is 40 %
        String[] lines = epochsOffATerminal("genre probe", 5, 1_000_000_000L);
        assertEquals("genre probe: 40% (2/5 epochs, 1.0/s)", lines[1]);
        assertEquals("genre probe: 60% (3/5 epochs, 1.0/s)", lines[2]);
        assertEquals("genre probe: 80% (4/5 epochs, 1.0/s)", lines[3]);
    }

    /** The lines a meter prints off a terminal for {@code epochs} epochs of {@code nanos} each. */
    private String[] epochsOffATerminal(String label, int epochs, long nanos) {
        Meter.Console m = new Meter.Console(out, false, clock::get, 100);
        m.start(label, epochs, "epochs");
        for (int e = 1; e <= epochs; e++) {
            clock.addAndGet(nanos);
            m.update(e);
        }
        m.finish();
        return bytes.toString(StandardCharsets.UTF_8).split("\n");
    }
}
