package dev.mlm4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./mlm4j}: one picocli subcommand per job; each is a thin layer over the pipeline API. */
@Command(name = "mlm4j",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Bidirectional transformer encoders (BERT family) in pure Java.",
        subcommands = {
                FillMaskCommand.class,
                EmbedCommand.class,
                SimilarityCommand.class,
                ConvertCommand.class,
                SparkEmbedCommand.class,
                AttentionExampleCommand.class,
                AttentionCommand.class,
                EvalCommand.class,
                ModelsCommand.class,
                ServeCommand.class,
                CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code (used by tests, which must not call System.exit). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        Errors.install(cl);
        return cl.execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"mlm4j " + dev.mlm4j.Version.get() + " on Java " + Runtime.version()};
        }
    }
}
