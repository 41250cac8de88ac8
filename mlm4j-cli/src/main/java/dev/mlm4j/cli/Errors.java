package dev.mlm4j.cli;

import picocli.CommandLine;

import java.io.PrintWriter;

/**
 * How the CLI reports failure: one line on stderr, a non-zero exit, never a stack trace at the user
 * (set MLM4J_DEBUG=1 to see one). Usage mistakes exit 2, bad input and failed jobs exit 1.
 */
final class Errors {
    private Errors() {}

    static final int USAGE = 2;
    static final int FAILED = 1;
    /** The job ran but its standard output could not be written (a full disk, a closed pipe). */
    static final int OUTPUT_FAILED = 1;

    static void install(CommandLine cl) {
        cl.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("mlm4j: " + oneLine(ex.getMessage()));
            err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
            err.flush();
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            Main.Stdout stdout = Main.Stdout.installed;
            if (stdout != null && stdout.failure != null && Main.isBrokenPipe(stdout.failure)) return FAILED;   // `| head`: quiet
            err.println("mlm4j: " + describe(ex));
            if (System.getenv("MLM4J_DEBUG") != null) ex.printStackTrace(err);
            err.flush();
            return FAILED;
        });
    }

    static String describe(Throwable ex) {
        if (ex instanceof OutOfMemoryError) {
            return "out of memory (heap " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MB); raise it with MLM4J_JAVA_OPTS=-Xmx8g,"
                    + " or give fewer/shorter texts (train: a smaller --batch-tokens)";
        }
        if (ex instanceof dev.mlm4j.tokens.TooLongException t) return oneLine(t.withHint("use --truncate"));
        String msg = ex.getMessage();
        boolean expected = ex instanceof IllegalArgumentException || ex instanceof IllegalStateException
                || ex instanceof java.io.IOException || ex instanceof java.io.UncheckedIOException
                || ex instanceof IndexOutOfBoundsException;
        if (msg == null || msg.isBlank()) msg = ex.getClass().getSimpleName();
        String line = oneLine(msg);
        if (ex instanceof java.nio.file.NoSuchFileException) line = "no such file: " + line;
        if (ex instanceof java.nio.file.AccessDeniedException) line = "permission denied: " + line;
        return expected ? line : "internal error (" + ex.getClass().getSimpleName() + "): " + line
                + " — rerun with MLM4J_DEBUG=1 for details";
    }

    static String oneLine(String s) {
        if (s == null) return "";
        return s.replace('\n', ' ').replace('\r', ' ').trim();
    }
}
