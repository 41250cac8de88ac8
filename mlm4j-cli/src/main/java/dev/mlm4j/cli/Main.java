package dev.mlm4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Entry point of {@code ./mlm4j}: one picocli subcommand per job; each is a thin layer over the pipeline API. */
@Command(name = "mlm4j",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Bidirectional transformer encoders (BERT family) in pure Java.")
public final class Main implements Runnable {

    /**
     * The subcommands, in the order {@code --help} lists them. They are added to the command line only when needed
     * ({@link #commandLine(String...)}): picocli builds its model of a command by reflection over every option of it
     * and its mixins, and building all of them took ~0.7 s of a ~1 s {@code --version} (class-load timestamps), paid
     * again by every {@code ./mlm4j fill-mask}.
     */
    static final List<Class<?>> COMMANDS = List.of(
            FillMaskCommand.class,
            ClassifyCommand.class,
            ZeroShotCommand.class,
            RerankCommand.class,
            NerCommand.class,
            AnswerCommand.class,
            EmbedCommand.class,
            SimilarityCommand.class,
            ConvertCommand.class,
            SparkEmbedCommand.class,
            AttentionExampleCommand.class,
            AttentionCommand.class,
            EvalCommand.class,
            TrainCommand.class,
            VocabCommand.class,
            ModelsCommand.class,
            ServeCommand.class,
            CommandLine.HelpCommand.class);

    /** Every command: what {@code --help}, {@code help}, a mistyped command's suggestions and the tests see. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        for (Class<?> c : COMMANDS) cl.addSubcommand(c);
        return cl;
    }

    /**
     * The command line for {@code args}: when the first argument names a command, that command alone under the top
     * level (its own {@code --help} included); otherwise every command.
     */
    static CommandLine commandLine(String... args) {
        if (args.length > 0) {
            for (Class<?> c : COMMANDS) {
                Command command = c.getAnnotation(Command.class);
                if (c != CommandLine.HelpCommand.class && command.name().equals(args[0])) {
                    CommandLine cl = new CommandLine(new Main());
                    cl.addSubcommand(c);
                    return cl;
                }
            }
        }
        return commandLine();
    }

    /**
     * Standard output as UTF-8 whatever the locale (mlm4j reads and writes UTF-8 only), through a stream that
     * remembers why a write failed: {@link PrintStream} only keeps a flag, and a full disk must not end in exit 0.
     */
    public static void main(String[] args) {
        Stdout stdout = new Stdout(new FileOutputStream(FileDescriptor.out));
        Stdout.installed = stdout;
        System.setOut(new PrintStream(stdout, false, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));
        int code = run(args);
        if (code == Errors.OUTPUT_FAILED && stdout.failure != null && isBrokenPipe(stdout.failure)) {
            code = 141;   // what a shell reports for a reader that went away (`| head`): quiet, and not success
        }
        System.exit(code);
    }

    /** Runs the CLI and returns the exit code (used by tests, which must not call System.exit). */
    public static int run(String... args) {
        CommandLine cl = commandLine(args);
        Errors.install(cl);
        cl.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST, Main::commandList);
        String bad = checkArguments(args, Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"), StandardCharsets.UTF_8));
        if (bad != null) {
            System.err.println("mlm4j: " + bad);
            System.err.flush();
            return Errors.USAGE;
        }
        int code;
        try {
            code = cl.execute(args);
        } catch (OutOfMemoryError e) {
            // picocli hands only Exceptions to Errors' handler; an Error would reach the user as a stack trace
            System.err.println("mlm4j: " + Errors.describe(e));
            System.err.flush();
            return Errors.FAILED;
        }
        System.out.flush();
        if (System.out.checkError()) {
            IOException why = Stdout.installed == null ? null : Stdout.installed.failure;
            if (code == 0 && (why == null || !isBrokenPipe(why))) {     // a failed command has said why already
                System.err.println("mlm4j: cannot write standard output" + (why == null || why.getMessage() == null ? "" : ": " + why.getMessage()));
                System.err.flush();
            }
            return Errors.OUTPUT_FAILED;
        }
        return code;
    }

    /**
     * Why {@code args} cannot be used, or null. The JVM decodes arguments with the locale's charset
     * ({@code sun.jnu.encoding}): under {@code LANG=C} every non-ASCII byte becomes U+FFFD, and under UTF-8 so does an
     * invalid byte. A U+FFFD is refused rather than answered for; under a single-byte locale (ISO-8859-1) the bytes
     * survive and are decoded again as UTF-8. The launcher runs Java under a UTF-8 locale, so this is the fallback.
     */
    static String checkArguments(String[] args, Charset argumentCharset) {
        boolean utf8Locale = argumentCharset.equals(StandardCharsets.UTF_8);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.indexOf('\uFFFD') >= 0) {
                return "argument " + (i + 1) + " ('" + shown(a) + "') is not valid UTF-8" + (utf8Locale ? ""
                        : " in this locale (its charset is " + argumentCharset.name() + "); run mlm4j with a UTF-8 locale, e.g. LC_ALL=C.UTF-8,"
                        + " or give the text with --file");
            }
            if (!utf8Locale && !a.chars().allMatch(c -> c < 0x80)) {
                try {
                    args[i] = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(a.getBytes(argumentCharset))).toString();
                } catch (CharacterCodingException e) {
                    return "argument " + (i + 1) + " is not valid UTF-8 (the locale's charset is " + argumentCharset.name()
                            + "; mlm4j reads UTF-8: run it with LC_ALL=C.UTF-8, or give the text with --file)";
                }
            }
        }
        return null;
    }

    /** An argument for a message: U+FFFD as '?', at most 40 characters. */
    private static String shown(String a) {
        String s = a.replace('\uFFFD', '?');
        return s.length() <= 40 ? s : s.substring(0, 37) + "…";
    }

    static boolean isBrokenPipe(IOException e) {
        return e.getMessage() != null && e.getMessage().contains("Broken pipe");
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /**
     * The "Commands:" list: each command with a whole sentence. picocli shows the first line of a description, which for
     * some commands ends in ':' or ',' (it leads into more lines); that line is ended with a full stop instead.
     */
    static String commandList(CommandLine.Help help) {
        java.util.Map<String, String> rows = new java.util.LinkedHashMap<>();
        for (var e : help.subcommands().entrySet()) rows.put(e.getKey(), summary(e.getValue().commandSpec()));
        return rows.isEmpty() ? "" : help.createTextTable(rows).toString();
    }

    static String summary(CommandLine.Model.CommandSpec spec) {
        String[] header = spec.usageMessage().header(), description = spec.usageMessage().description();
        String first = header.length > 0 ? header[0] : description.length > 0 ? description[0] : "";
        first = first.strip();
        if (first.endsWith(":") || first.endsWith(",") || first.endsWith(";")) first = first.substring(0, first.length() - 1);
        return first.isEmpty() || first.endsWith(".") ? first : first + ".";
    }

    /** A pass-through stream that keeps the first write failure, for the message. */
    static final class Stdout extends OutputStream {
        private final OutputStream out;
        volatile IOException failure;

        Stdout(OutputStream out) {
            this.out = out;
        }

        /** The one {@link #main} installed as standard output; null in-process (tests). */
        static volatile Stdout installed;

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                throw keep(e);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw keep(e);
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                throw keep(e);
            }
        }

        private IOException keep(IOException e) {
            if (failure == null) failure = e;
            return e;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"mlm4j " + dev.mlm4j.Version.get() + " on Java " + Runtime.version(),
                    "kernels " + dev.mlm4j.Version.kernels()};
        }
    }
}
