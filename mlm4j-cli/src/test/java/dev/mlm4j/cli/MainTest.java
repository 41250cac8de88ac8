package dev.mlm4j.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Issue 14, items 5 and 12: arguments decoded or refused, a failed write of standard output is an error, help is clean. */
class MainTest {

    @Test
    void anArgumentWithAReplacementCharacterIsRefused() {
        // what the JVM makes of invalid UTF-8 in argv, or of any non-ASCII byte under LANG=C
        String[] args = {"fill-mask", "o c\uFFFD\uFFFDo [MASK] no parque."};
        assertEquals("argument 2 ('o c??o [MASK] no parque.') is not valid UTF-8", Main.checkArguments(args.clone(), StandardCharsets.UTF_8));
        assertEquals("argument 2 ('o c??o [MASK] no parque.') is not valid UTF-8 in this locale (its charset is US-ASCII);"
                + " run mlm4j with a UTF-8 locale, e.g. LC_ALL=C.UTF-8, or give the text with --file",
                Main.checkArguments(args.clone(), StandardCharsets.US_ASCII));
        var r = CliRunner.run(args);
        assertEquals(2, r.exit());
        assertEquals("mlm4j: argument 2 ('o c??o [MASK] no parque.') is not valid UTF-8\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void underASingleByteLocaleTheBytesAreDecodedAgainAsUtf8() {
        // under an ISO-8859-1 locale the JVM turns the UTF-8 bytes of "cão" into "cÃ£o"; they are read again as UTF-8
        String[] args = {"fill-mask", new String("o cão [MASK]".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1)};
        assertNull(Main.checkArguments(args, StandardCharsets.ISO_8859_1));
        assertEquals("o cão [MASK]", args[1]);
        String[] latin1 = {"o cão [MASK]"};      // Latin-1 bytes typed in a Latin-1 terminal: not UTF-8
        assertTrue(Main.checkArguments(latin1, StandardCharsets.ISO_8859_1).startsWith("argument 1 is not valid UTF-8 (the locale's charset is ISO-8859-1;"));
    }

    /** Runs in-process with a standard output whose every write fails as on a full disk. */
    static CliRunner.Result withFullStdout(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        OutputStream full = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("No space left on device");
            }
        };
        try {
            System.setOut(new PrintStream(full, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            return new CliRunner.Result(Main.run(args), "", err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void aFailedWriteOfStandardOutputIsAnError() {
        // issue 14, item 5: `./mlm4j embed x > /dev/full` exited 0 with nothing written
        var r = withFullStdout("embed", "x");
        assertEquals(1, r.exit());
        assertEquals("mlm4j: cannot write standard output\n", r.err());
        r = withFullStdout("fill-mask", "-k", "1", "a [MASK].");
        assertEquals(1, r.exit());
        assertEquals("mlm4j: cannot write standard output\n", r.err());
        r = withFullStdout("--help");
        assertEquals(1, r.exit());
        assertEquals("mlm4j: cannot write standard output\n", r.err());
    }

    static List<List<String>> commandPaths(CommandLine cl, List<String> prefix) {
        List<List<String>> out = new ArrayList<>();
        for (var e : cl.getSubcommands().entrySet()) {
            // spark-embed needs Spark on the classpath even for --help (the launcher's job, tested with it)
            if (e.getKey().equals("help") || e.getKey().equals("spark-embed")) continue;
            List<String> path = new ArrayList<>(prefix);
            path.add(e.getKey());
            out.add(path);
            out.addAll(commandPaths(e.getValue(), path));
        }
        return out;
    }

    @Test
    void everyHelpPrintsWithoutAPicocliWarning() {
        // issue 14, item 12: `eval mlm --help` printed "[picocli WARN] Could not format '15% of …'"
        List<List<String>> paths = commandPaths(Main.commandLine(), List.of());
        assertTrue(paths.size() >= 12, paths.toString());
        for (List<String> path : paths) {
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            var r = CliRunner.run(args.toArray(String[]::new));
            assertEquals(0, r.exit(), path + ": " + r.err());
            assertEquals("", r.err(), path.toString());
            assertTrue(r.out().startsWith("Usage: mlm4j " + String.join(" ", path)), r.out());
        }
        assertTrue(CliRunner.run("eval", "mlm", "--help").out().contains("15% of each sentence's word pieces"));
    }

    @Test
    void theCommandListGivesEachCommandAWholeSentence() {
        // issue 14, item 12: the list showed the first description line, which for embed, convert, attention and serve
        // ended mid-sentence ("(JSON Lines):", "load as it is:", "(JSON, GraphML, DOT),")
        var r = CliRunner.run("--help");
        assertEquals(0, r.exit(), r.err());
        String help = r.out().replaceAll("\\s+", " ");
        CommandLine cl = Main.commandLine();
        for (var e : cl.getSubcommands().entrySet()) {
            String summary = Main.summary(e.getValue().getCommandSpec());
            assertTrue(summary.endsWith("."), e.getKey() + ": " + summary);
            assertTrue(help.contains(e.getKey() + " " + summary.replaceAll("\\s+", " ")), e.getKey() + " in: " + help);
        }
        assertTrue(help.contains("embed Turns texts into vectors (sentence embeddings), one JSON object per line (JSON Lines). "), help);
        assertFalse(help.contains("(JSON Lines):") || help.contains("DOT), "), help);
        assertEquals(r.out(), CliRunner.run().out(), "mlm4j alone prints the same help");
    }
}
