package dev.mlm4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ctrl-C during ./mlm4j train, in its own JVM: SIGINT lets the step under way finish, saves checkpoint/ with the
 * position of the last logged step, writes the model folder, prints how to continue, and exits 130 (the shell's
 * code for an interrupt). SIGTERM (a scheduler or container stopping the job; the launcher execs the JVM, so it gets
 * the signal) does the same and exits 143.
 */
class TrainInterruptTest {
    @TempDir Path tmp;

    @ParameterizedTest
    @CsvSource({"INT, 130", "TERM, 143"})
    void aSignalSavesACheckpointAtTheLastLoggedStep(String signal, int exitCode) throws Exception {
        List<String> lines = new ArrayList<>();
        Random r = new Random(5);
        for (int i = 0; i < 40; i++) lines.add("w" + (5 + r.nextInt(95)) + " w" + (5 + r.nextInt(95)) + " w" + (5 + r.nextInt(95)));
        Path text = Files.write(tmp.resolve("text.txt"), lines), out = tmp.resolve("out");
        String model = Path.of("..", "mlm4j-core", "src", "test", "resources", "training", "tiny-bert-mlm").toAbsolutePath().normalize().toString();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>();
        // A process started in the background by a non-interactive shell (nohup …&, some CI runners) inherits SIGINT as
        // ignored, and a JVM started so never sees Ctrl-C: the child would train all 100,000 steps. coreutils' env resets it.
        if (new ProcessBuilder("env", "--default-signal=INT", "true").start().waitFor() == 0) command.addAll(List.of("env", "--default-signal=INT"));
        command.addAll(List.of(java, "--add-modules", "jdk.incubator.vector", "-cp", cp, "dev.mlm4j.cli.Main",
                "train", "mlm", "--model", model, "--train", text.toString(), "--output", out.toString(), "--max-steps", "100000", "--batch-tokens", "32"));
        ProcessBuilder pb = new ProcessBuilder(command);
        Path stdout = tmp.resolve("stdout"), stderr = tmp.resolve("stderr");
        Process p = pb.redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        try {
            Path log = out.resolve("training_log.jsonl");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
            while ((!Files.isRegularFile(log) || Files.readAllLines(log).size() < 3) && System.nanoTime() < deadline && p.isAlive()) Thread.sleep(100);
            assertTrue(p.isAlive(), Files.readString(stderr));
            new ProcessBuilder("kill", "-" + signal, String.valueOf(p.pid())).start().waitFor();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "stopped");
            assertEquals(exitCode, p.exitValue(), Files.readString(stderr));
            List<String> logged = Files.readAllLines(log, StandardCharsets.UTF_8);
            int lastStep = new ObjectMapper().readTree(logged.getLast()).get("step").asInt();
            assertEquals(logged.size(), lastStep, "one line per step");
            var state = new ObjectMapper().readTree(out.resolve("checkpoint/trainer_state.json").toFile());
            assertEquals(lastStep, state.get("step").asInt(), "the checkpoint is at the last logged step");
            assertTrue(Files.isRegularFile(out.resolve("checkpoint/optimizer.safetensors")) && Files.isRegularFile(out.resolve("model.safetensors")));
            String printed = Files.readString(stdout);
            assertTrue(printed.startsWith("stopped after " + lastStep + " of 100000 steps (mlm)") && printed.contains("--resume " + out), printed);
            try (var leftovers = Files.list(out)) {
                assertTrue(leftovers.noneMatch(f -> f.getFileName().toString().startsWith(".")), "no temporary folder left behind");
            }
        } finally {
            p.destroyForcibly();
        }
    }
}
