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
        if (ex instanceof java.io.UncheckedIOException u && u.getCause() != null && msg != null && msg.equals(u.getCause().toString())) {
            return describe(u.getCause());   // wrapped as it was: its message is the cause's class and message
        }
        if (msg == null || msg.isBlank()) msg = ex.getClass().getSimpleName();
        String line = oneLine(msg);
        if (ex instanceof java.nio.file.FileSystemException f && f.getReason() == null) {
            // the JDK's file errors carry only the path: say what is wrong with it
            String what = switch (f) {
                case java.nio.file.NoSuchFileException x -> "no such file";
                case java.nio.file.AccessDeniedException x -> "permission denied";
                case java.nio.file.FileAlreadyExistsException x -> "in the way (a file where a folder is needed, or it already exists)";
                case java.nio.file.NotDirectoryException x -> "not a folder";
                case java.nio.file.DirectoryNotEmptyException x -> "folder not empty";
                default -> f.getClass().getSimpleName();
            };
            line = what + ": " + line;
        } else if (ex instanceof java.nio.file.NoSuchFileException) {
            line = "no such file: " + line;
        } else if (ex instanceof java.nio.file.AccessDeniedException) {
            line = "permission denied: " + line;
        }
        if (hasCause(ex, java.nio.charset.CharacterCodingException.class)) {
            // a decoder's "Input length = 1" says nothing to a user
            line = line.replaceAll("Input length = \\d+", "not valid UTF-8 text (save it as UTF-8)");
        }
        return expected ? line : "internal error (" + ex.getClass().getSimpleName() + "): " + line
                + " — rerun with MLM4J_DEBUG=1 for details";
    }

    private static boolean hasCause(Throwable ex, Class<? extends Throwable> type) {
        for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) if (type.isInstance(t)) return true;
        return false;
    }

    static String oneLine(String s) {
        if (s == null) return "";
        return s.replace('\n', ' ').replace('\r', ' ').trim();
    }
}
