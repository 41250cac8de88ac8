package dev.mlm4j.cli;

import dev.mlm4j.config.Precision;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The options the commands repeat, as picocli mixins ({@code @Mixin CommonOptions.Int8 int8;}): each is declared once,
 * with one wording, here. What a command adds to an option (the JSON it prints, how it reads a file) is in its description.
 */
final class CommonOptions {
    private CommonOptions() {}

    private static final String MODEL = "Model name (see './mlm4j models') or folder. Default: ${DEFAULT-VALUE}.";

    /** {@code -m/--model} of the commands that need a masked-LM head (fill-mask, attention, eval). */
    static final class MaskedLmModel {
        @Option(names = {"-m", "--model"}, paramLabel = "<model>", defaultValue = "bert-base-uncased", description = MODEL)
        String name;
    }

    /** {@code -m/--model} of the embedding commands (embed, similarity). */
    static final class EmbeddingModel {
        @Option(names = {"-m", "--model"}, paramLabel = "<model>", defaultValue = "all-MiniLM-L6-v2", description = MODEL)
        String name;
    }

    /** {@code --int8}: quantise at load. */
    static final class Int8 {
        @Option(names = "--int8", description = "Quantise the linear layers' weights to int8 at load (per output channel; a quarter of the memory,"
                + " slightly less accurate; also -Dmlm4j.weights=int8).")
        boolean int8;

        /** The precision asked for: int8 with --int8, else -Dmlm4j.weights, else fp32. */
        Precision precision() {
            return int8 ? Precision.INT8 : Precision.fromProperty();
        }
    }

    /** {@code -f/--file}: texts one per line. */
    static final class TextFile {
        @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Read texts from FILE, one per line ('-' for standard input).")
        Path path;
    }

    /** {@code --json}: JSON on standard output instead of text. */
    static final class Json {
        @Option(names = "--json", description = "Print JSON instead of text.")
        boolean on;
    }

    /**
     * The options of every per-line job (fill-mask, classify, ner, rerank, zero-shot): {@code --int8}, {@code --file} and
     * {@code --json} as the mixins above, and the input they give ({@link PerLine}'s flow starts here).
     */
    static final class TextJob {
        @picocli.CommandLine.Mixin
        Int8 int8;

        @picocli.CommandLine.Mixin
        TextFile file;

        @picocli.CommandLine.Mixin
        Json json;

        Precision precision() {
            return int8.precision();
        }

        boolean json() {
            return json.on;
        }

        /** The texts: the arguments, else --file, else standard input ({@link Inputs#read}). */
        List<Inputs.Line> lines(List<String> arguments) throws IOException {
            return Inputs.read(arguments, file.path);
        }

        /** The lines with every one checked ({@link PerLine#check}). */
        PerLine.Checked check(List<Inputs.Line> lines, PerLine.Check check) {
            return PerLine.check(lines, file.path, check);
        }
    }
}
