package dev.mlm4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.pipelines.FeatureExtraction;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.pipelines.Pooling;
import dev.mlm4j.tokens.TooLongException;
import dev.mlm4j.util.Progress;
import dev.mlm4j.util.ProgressListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

@Command(name = "embed",
        mixinStandardHelpOptions = true,
        description = {
                "Turns texts into vectors (sentence embeddings), one JSON object per line (JSON Lines):",
                "  {\"index\":0,\"text\":\"…\",\"embedding\":[…]}; with --pooling none, \"tokens\" and \"token_embeddings\" (one vector each).",
                "Example: ./mlm4j embed \"A man is playing a guitar.\" \"Someone plays an instrument.\"",
                "Texts come from the arguments, from --file (one per line, streamed; '-' for standard input, which is read whole first), or from standard input.",
                "Every line of a file or standard input gets one record, in order, with its \"line\" number; a blank or too-long line gets"
                        + " {\"index\":1,\"line\":2,\"text\":\"\",\"error\":\"empty line\"} in its place and a warning on stderr, and the exit status"
                        + " stays 0 (as spark-embed keeps such a row with its reason). A blank or too-long argument is an error.",
                "Pooling and normalisation default to the model's own (all-MiniLM-L6-v2: mean, normalised; bge-small-en-v1.5: cls, normalised;"
                        + " a sentence-transformers folder: its modules.json, 1_Pooling and sentence_bert_config.json;"
                        + " any other model: mean, not normalised).",
                "Lengths, in tokens with [CLS] and [SEP]: a text may be as long as the model's working length (its max_seq_length: 256 for"
                        + " all-MiniLM-L6-v2, 512 for bge-small-en-v1.5; else its position table; the 128 in MiniLM's tokenizer.json is an export"
                        + " leftover and not used); longer is an error unless --truncate, which cuts it there, as sentence-transformers does."
                        + " --max-length N sets that limit instead, up to the position table (512: MiniLM's longer texts run whole).",
                "Models trained with markers before their texts get them added: e5-small-v2 puts 'query: ' before every text"
                        + " (its card's advice for queries and for similarity, clustering and features), or 'passage: ' with --passage"
                        + " (documents to be retrieved); a text that already begins with the marker is left as it is; --no-prefix adds none."
                        + " Other models ignore these options.",
                "A file is read twice, first to check every line, then in batches of about --batch-tokens tokens, so memory stays flat;"
                        + " --output appears only when complete."
        })
final class EmbedCommand implements Callable<Integer> {

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts to embed.")
    List<String> texts;

    @Mixin
    CommonOptions.EmbeddingModel model;

    @Option(names = {"-p", "--pooling"}, paramLabel = "mean|cls|none",
            description = "mean, cls, or none for one vector per token. Default: the model's.")
    String pooling;   // parsed in call(), so a bad name is worded as --aggregation's and --function's are

    @Option(names = "--normalize", negatable = true, description = "L2-normalise the vectors (--no-normalize: don't). Default: the model's.")
    Boolean normalize;

    @Mixin
    CommonOptions.Int8 int8;

    @Option(names = "--truncate", description = "Cut texts longer than the model's working length (or --max-length) instead of failing.")
    boolean truncate;

    @Option(names = "--max-length", paramLabel = "N",
            description = "Longest text in tokens, and where --truncate cuts (2 to the position table, 512; default: the model's working length).")
    Integer maxLength;

    @Option(names = "--batch-tokens", paramLabel = "N", defaultValue = "4096", description = "Tokens per forward pass (default: ${DEFAULT-VALUE}).")
    int batchTokens;

    @Option(names = "--query", description = "The texts are queries (or anything but retrieval documents): a model with prefixes puts its query prefix before each (the default).")
    boolean query;

    @Option(names = "--passage", description = "The texts are documents to be retrieved: a model with prefixes (e5-small-v2) puts its passage prefix before each.")
    boolean passage;

    @Option(names = "--no-prefix", description = "Add no prefix, even for a model that has them (for texts that carry their own).")
    boolean noPrefix;

    @Mixin
    CommonOptions.TextFile textFile;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of standard output: a regular file appears whole or not at all; a device or FIFO is written through; a symbolic link is followed, never replaced.")
    Path output;

    @Override
    public Integer call() throws IOException {
        Path file = textFile.path;
        if ((query ? 1 : 0) + (passage ? 1 : 0) + (noPrefix ? 1 : 0) > 1) {
            throw new IllegalArgumentException("--query, --passage and --no-prefix exclude each other: give at most one");
        }
        FeatureExtraction.Input kind = passage ? FeatureExtraction.Input.PASSAGE : noPrefix ? FeatureExtraction.Input.AS_IS
                : FeatureExtraction.Input.QUERY;
        int max = maxLength(maxLength);
        FeatureExtraction.Options options = new FeatureExtraction.Options(pooling(pooling), normalize, truncate, max, batchTokens, kind);
        TextFile lines = file != null && !file.toString().equals("-") ? new TextFile(file) : null;
        Iterable<Inputs.Line> input = lines != null ? concat(Inputs.arguments(texts), lines) : Inputs.read(texts, file);
        FeatureExtraction pipeline = Models.embeddings(model.name, null, int8.precision());

        // Pass 1, before any output: every text checked, as PerLine.errors does (here streamed, counting the tokens for the
        // progress bar). A bad argument fails the job; a blank or too-long line of a file or standard input gets an error
        // record in its place (see Inputs), and a warning on stderr at the end.
        Map<Integer, String> errors = new TreeMap<>();        // record position → why that line has no embedding
        long tokens = 0;
        int count = 0, arguments = 0;
        for (Inputs.Line l : input) {
            String reason = null;
            if (l.blank()) {
                reason = Inputs.EMPTY_LINE;
            } else {
                try {
                    tokens += pipeline.encode(l.text(), l.fromArgument() ? arguments : -1, options).length();
                } catch (TooLongException e) {
                    if (l.fromArgument()) throw new IllegalArgumentException(e.withHint("use --truncate"), e);
                    reason = e.withHint("use --truncate");
                }
            }
            if (l.fromArgument()) arguments++;
            if (reason != null) errors.put(count, "line " + l.number() + ": " + reason);
            count++;
        }
        String source = lines != null ? file.toString() : "standard input";
        if (count == 0) throw new IllegalArgumentException("no input text: " + source + " is empty");
        if (errors.size() == count) {
            boolean allBlank = errors.values().stream().allMatch(r -> r.endsWith(": " + Inputs.EMPTY_LINE));
            throw new IllegalArgumentException(allBlank ? "no input text: " + source + " has no non-blank line"
                    : "no line of " + source + " can be embedded (" + errors.values().iterator().next() + ")");
        }

        boolean showProgress = lines != null && tokens > batchTokens;
        ProgressListener progress = showProgress ? Progress.stderr() : ProgressListener.NONE;
        if (showProgress) progress.start("embedding " + file.getFileName() + ": " + (count - errors.size()) + " texts, " + tokens + " tokens", lines.size());
        ObjectMapper json = new ObjectMapper();
        try (OutputFile out = OutputFile.open(output)) {
            Writer w = out.writer();
            Iterator<Inputs.Line> all = input.iterator();
            record Pending(int position, Inputs.Line line) {}
            Deque<Pending> pending = new ArrayDeque<>();          // lines read from the input whose record is not yet written
            Iterator<String> usable = new Iterator<>() {
                int position;
                String next;

                @Override
                public boolean hasNext() {
                    while (next == null && all.hasNext()) {
                        Inputs.Line l = all.next();
                        pending.add(new Pending(position, l));
                        if (!errors.containsKey(position)) next = l.text();
                        position++;
                    }
                    return next != null;
                }

                @Override
                public String next() {
                    if (!hasNext()) throw new java.util.NoSuchElementException();
                    String s = next;
                    next = null;
                    return s;
                }
            };
            // writes the records of pending positions up to and including the one embedding e belongs to (null: all)
            java.util.function.Consumer<FeatureExtraction.Embedding> write = e -> {
                while (!pending.isEmpty()) {
                    Pending p = pending.poll();
                    int pos = p.position();
                    Inputs.Line l = p.line();
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("index", pos);
                    if (!l.fromArgument()) o.put("line", l.number());
                    o.put("text", l.text());
                    String error = errors.get(pos);
                    if (error != null) {
                        o.put("error", error.substring(error.indexOf(": ") + 2));
                    } else {
                        if (e.truncated()) o.put("truncated", true);
                        if (e.vector() != null) {
                            o.put("embedding", e.vector());
                        } else {
                            o.put("tokens", e.tokens());
                            o.put("token_embeddings", e.tokenVectors());
                        }
                    }
                    try {
                        w.write(json.writeValueAsString(o));
                        w.write('\n');
                    } catch (IOException x) {
                        throw new UncheckedIOException(x.getMessage(), x);
                    }
                    if (error == null) break;
                }
                if (showProgress) progress.update(lines.bytesRead());
            };
            pipeline.extract(usable, options, write);
            write.accept(null);                                    // error records after the last embedding
            out.commit();
        } finally {
            progress.finish();
        }
        if (!errors.isEmpty()) {
            System.err.println(PerLine.warning(errors.size(), count, "lines have an \"error\" record instead of an embedding",
                    errors.values().iterator().next()));
        }
        return 0;
    }

    private static Iterable<Inputs.Line> concat(List<Inputs.Line> first, Iterable<Inputs.Line> then) {
        if (first.isEmpty()) return then;
        return () -> java.util.stream.Stream.concat(first.stream(),
                java.util.stream.StreamSupport.stream(then.spliterator(), false)).iterator();
    }

    /** --max-length's value for FeatureExtraction.Options (null: 0, the model's working length); 0 or less is refused, not taken as the model's. */
    static int maxLength(Integer tokens) {
        if (tokens != null && tokens < 2) throw new IllegalArgumentException("max length must be at least 2 ([CLS] and [SEP]), got " + tokens);
        return tokens == null ? 0 : tokens;
    }

    /** --pooling's value (null: the model's); an unknown name is Pooling.parse's one-line error. */
    static Pooling pooling(String name) {
        return name == null ? null : Pooling.parse(name);
    }
}
