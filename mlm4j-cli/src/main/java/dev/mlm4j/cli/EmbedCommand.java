package dev.mlm4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.layers.Precision;
import dev.mlm4j.pipelines.FeatureExtraction;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.pipelines.Pooling;
import dev.mlm4j.util.Progress;
import dev.mlm4j.util.ProgressListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "embed",
        mixinStandardHelpOptions = true,
        description = {
                "Turns texts into vectors (sentence embeddings), one JSON object per line (JSON Lines):",
                "  {\"index\":0,\"text\":\"…\",\"embedding\":[…]}; with --pooling none, \"tokens\" and \"token_embeddings\" (one vector each).",
                "Example: ./mlm4j embed \"A man is playing a guitar.\" \"Someone plays an instrument.\"",
                "Texts come from the arguments, from --file (one per line; '-' for standard input), or from standard input.",
                "Pooling and normalisation default to the model's own (all-MiniLM-L6-v2: mean, normalised; bge-small-en-v1.5: cls, normalised;"
                        + " a model without an embeddings card: mean, not normalised).",
                "Lengths, in tokens with [CLS] and [SEP]: a text may be as long as the model's position table (512); longer is an error"
                        + " unless --truncate, which cuts every text at the model's working length (its max_seq_length: 256 for all-MiniLM-L6-v2,"
                        + " 512 for bge-small-en-v1.5; the 128 in MiniLM's tokenizer.json is an export leftover and not used). --max-length N sets one limit for both.",
                "A file is read twice, first to check every line, then in batches of about --batch-tokens tokens, so memory stays flat;"
                        + " --output appears only when complete."
        })
final class EmbedCommand implements Callable<Integer> {

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts to embed.")
    List<String> texts;

    @Option(names = {"-m", "--model"}, defaultValue = "all-MiniLM-L6-v2",
            description = "Model name (see './mlm4j models') or folder. Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = {"-p", "--pooling"}, paramLabel = "mean|cls|none", converter = PoolingConverter.class,
            description = "mean, cls, or none for one vector per token. Default: the model's.")
    Pooling pooling;

    @Option(names = "--normalize", negatable = true, description = "L2-normalise the vectors (--no-normalize: don't). Default: the model's.")
    Boolean normalize;

    @Option(names = "--int8", description = "Quantise the linear layers' weights to int8 at load (per output channel; a quarter of the memory, slightly less accurate; also -Dmlm4j.weights=int8).")
    boolean int8;

    @Option(names = "--truncate", description = "Cut texts longer than the model's working length (or --max-length) instead of failing.")
    boolean truncate;

    @Option(names = "--max-length", paramLabel = "N", defaultValue = "0", description = "Longest text in tokens, and where --truncate cuts (at most 512).")
    int maxLength;

    @Option(names = "--batch-tokens", paramLabel = "N", defaultValue = "4096", description = "Tokens per forward pass (default: ${DEFAULT-VALUE}).")
    int batchTokens;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE",
            description = "Read texts from FILE, one per line, streamed ('-' for standard input, which is read whole first).")
    Path file;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE (whole or not at all) instead of standard output.")
    Path output;

    @Override
    public Integer call() throws IOException {
        FeatureExtraction.Options options = new FeatureExtraction.Options(pooling, normalize, truncate, maxLength, batchTokens);
        TextFile lines = file != null && !file.toString().equals("-") ? new TextFile(file) : null;
        Iterable<String> input = lines != null ? lines : Inputs.texts(texts, file);
        FeatureExtraction pipeline = Models.embeddings(model, null, int8 ? Precision.INT8 : Precision.fromProperty());
        long tokens = 0;
        int count = 0;
        for (String text : input) tokens += pipeline.encode(text, count++, options).length();   // every text checked before any output
        if (count == 0) throw new IllegalArgumentException("no input text: " + file + " has no non-blank line");
        boolean showProgress = lines != null && tokens > batchTokens;
        ProgressListener progress = showProgress ? Progress.stderr() : ProgressListener.NONE;
        if (showProgress) progress.start("embedding " + file.getFileName() + ": " + count + " texts, " + tokens + " tokens", lines.size());
        ObjectMapper json = new ObjectMapper();
        try (OutputFile out = OutputFile.open(output)) {
            Writer w = out.writer();
            pipeline.extract(input.iterator(), options, e -> {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("index", e.index());
                o.put("text", e.text());
                if (e.truncated()) o.put("truncated", true);
                if (e.vector() != null) {
                    o.put("embedding", e.vector());
                } else {
                    o.put("tokens", e.tokens());
                    o.put("token_embeddings", e.tokenVectors());
                }
                try {
                    w.write(json.writeValueAsString(o));
                    w.write('\n');
                } catch (IOException x) {
                    throw new UncheckedIOException("cannot write the output: " + x.getMessage(), x);
                }
                if (showProgress) progress.update(lines.bytesRead());
            });
            out.commit();
        } finally {
            progress.finish();
        }
        return 0;
    }

    static final class PoolingConverter implements picocli.CommandLine.ITypeConverter<Pooling> {
        @Override
        public Pooling convert(String value) {
            return Pooling.parse(value);
        }
    }
}
