package dev.mlm4j.cli;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The CLI in its own JVM, as production runs it: arguments decoded by the JVM under the process's locale, and a real
 * standard output (issue 14, item 5). Arguments go through bash so that their bytes are exactly the ones given.
 */
class ProcessTest {

    record Run(int exit, String out, String err) {}

    /**
     * {@code bash -c 'exec java … dev.mlm4j.cli.Main ARGS [> STDOUT]'} with exactly {@code env} (plus PATH and HOME).
     * {@code args} is bash text, so non-ASCII bytes are written {@code $'\\xc3\\xa3'} and reach the CLI exactly, whatever
     * the test JVM's own locale would make of them.
     */
    static Run cli(Map<String, String> env, String stdoutFile, String args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of("bash", "-c",
                "exec \"$0\" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp \"$MLM4J_TEST_CP\" dev.mlm4j.cli.Main "
                        + args + (stdoutFile == null ? "" : " > " + stdoutFile), java));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        pb.environment().put("HOME", System.getProperty("user.home"));
        pb.environment().put("MLM4J_TEST_CP", cp);
        pb.environment().putAll(env);
        File out = Files.createTempFile("mlm4j-out", ".txt").toFile(), err = Files.createTempFile("mlm4j-err", ".txt").toFile();
        try {
            Process p = pb.redirectOutput(out).redirectError(err).start();
            assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the CLI finished");
            return new Run(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8), Files.readString(err.toPath(), StandardCharsets.UTF_8));
        } finally {
            out.delete();
            err.delete();
        }
    }

    /** Whether this machine has the C.UTF-8 locale the launcher asks for (glibc ≥ 2.35 has it built in). */
    static boolean hasCUtf8() throws Exception {
        Process p = new ProcessBuilder("locale", "-a").redirectErrorStream(true).start();
        String all = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return all.lines().anyMatch(l -> l.equalsIgnoreCase("C.UTF-8") || l.equalsIgnoreCase("C.utf8"));
    }

    static String withoutJvmWarnings(String err) {
        return err.lines().filter(l -> !l.startsWith("WARNING: ")).reduce("", (a, b) -> a + b + "\n");
    }

    @Test
    void underLangCANonAsciiArgumentIsRefusedNotAnsweredFor() throws Exception {
        // issue 14, item 5: under LANG=C the JVM saw "o c??o" and fill-mask answered for that with exit 0
        Run r = cli(Map.of("LANG", "C"), null, "fill-mask $'o c\\xc3\\xa3o [MASK] no parque.'");
        assertEquals(2, r.exit(), r.err());
        assertEquals("mlm4j: argument 2 ('o c??o [MASK] no parque.') is not valid UTF-8 in this locale (its charset is US-ASCII);"
                + " run mlm4j with a UTF-8 locale, e.g. LC_ALL=C.UTF-8, or give the text with --file\n", withoutJvmWarnings(r.err()));
        assertEquals("", r.out());
    }

    @Test
    void underAUtf8LocaleTheTextArrivesWholeAndInvalidBytesAreRefused() throws Exception {
        // LC_ALL=C.UTF-8 is what the launcher sets when the user's locale is not UTF-8
        org.junit.jupiter.api.Assumptions.assumeTrue(hasCUtf8(), "no C.UTF-8 locale here");
        Run r = cli(Map.of("LANG", "C", "LC_ALL", "C.UTF-8"), null, "fill-mask -k 1 $'o c\\xc3\\xa3o [MASK] no parque.'");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("o cão [MASK] no parque.\n"), r.out());
        Run bad = cli(Map.of("LC_ALL", "C.UTF-8"), null, "fill-mask $'a\\xc3( [MASK]'");
        assertEquals(2, bad.exit(), bad.out());
        assertEquals("mlm4j: argument 2 ('a?( [MASK]') is not valid UTF-8\n", withoutJvmWarnings(bad.err()));
        assertEquals("", bad.out());
    }

    @Test
    void aFullStandardOutputIsAnError() throws Exception {
        // issue 14, item 5: `./mlm4j embed x > /dev/full` exited 0 with nothing written
        Run r = cli(Map.of("LC_ALL", "C.UTF-8"), "/dev/full", "--help");
        assertEquals(1, r.exit(), r.err());
        assertEquals("mlm4j: cannot write standard output: No space left on device\n", withoutJvmWarnings(r.err()));
        r = cli(Map.of("LC_ALL", "C.UTF-8"), "/dev/full", "embed x");
        assertEquals(1, r.exit(), r.err());
        assertEquals("mlm4j: cannot write standard output: No space left on device\n", withoutJvmWarnings(r.err()));
    }
}
