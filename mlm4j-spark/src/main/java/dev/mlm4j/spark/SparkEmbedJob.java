package dev.mlm4j.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

import static org.apache.spark.sql.functions.col;

/**
 * The example job: a corpus in, Parquet with ids and sentence embeddings out, through {@link Embedder}.
 * <pre>
 *   ./mlm4j spark-embed --input corpus/ --output out.parquet                        # local[*]
 *   spark-submit --class dev.mlm4j.spark.SparkEmbedJob mlm4j-spark-all.jar --input hdfs:///corpus --output hdfs:///vectors
 * </pre>
 * Text input is one document per line (a file, a folder of files, or a glob; {@code --whole-files} makes each file one
 * document); Parquet input names its text column. Output columns: {@code id} (the line's position in the input, from 0 —
 * the line number when the input is one file; or the Parquet id column), {@code file} (text input), the text with
 * {@code --keep-text}, {@code embedding} and {@code reason} (null, or why the embedding is null).
 */
@Command(name = "spark-embed",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
                "Embeds a corpus with Apache Spark and writes Parquet: id, embedding (array<float>, or an ML vector with --vector), reason.",
                "Example: ./mlm4j spark-embed --input corpus/ --output out.parquet",
                "Text input: one document per line (a file, a folder, or a glob); --whole-files makes each file one document.",
                "Parquet input: --text-column names the text, --id-column the id (else ids are numbered from 0).",
                "Runs in local mode on all cores unless --master (or spark-submit) says otherwise. A row that cannot be embedded"
                        + " (empty, too long without --truncate) gets a null embedding and a reason; the job goes on."
        })
public final class SparkEmbedJob implements Callable<Integer> {

    @Option(names = {"-i", "--input"}, required = true, paramLabel = "PATH", description = "Text file, folder or glob; or Parquet. Any Hadoop path (hdfs://, s3a://…).")
    String input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "PATH", description = "Parquet folder to write.")
    String output;

    @Option(names = {"-m", "--model"}, defaultValue = "all-MiniLM-L6-v2", paramLabel = "NAME|FOLDER",
            description = "Catalogued name (each executor fetches it) or a model folder at the same path on every executor. Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--format", defaultValue = "auto", paramLabel = "auto|text|parquet",
            description = "Input format; auto: parquet when the path ends in .parquet or holds .parquet files, else text.")
    String format;

    @Option(names = "--text-column", defaultValue = "text", paramLabel = "NAME", description = "Parquet: the text column (default: ${DEFAULT-VALUE}).")
    String textColumn;

    @Option(names = "--id-column", paramLabel = "NAME", description = "Parquet: a column to keep as the id (default: number the rows from 0).")
    String idColumn;

    @Option(names = "--whole-files", description = "Text: each file is one document, not each line.")
    boolean wholeFiles;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: local[*], or what spark-submit set).")
    String master;

    @Option(names = "--partitions", defaultValue = "0", paramLabel = "N",
            description = "Partitions to embed in (default: 4 × the cluster's cores, at most one per 16 rows).")
    int partitions;

    @Option(names = {"-p", "--pooling"}, paramLabel = "mean|cls", description = "Pooling (default: the model's).")
    String pooling;

    @Option(names = "--normalize", negatable = true, description = "L2-normalise (--no-normalize: don't). Default: the model's.")
    Boolean normalize;

    @Option(names = "--truncate", description = "Cut texts that are too long (at the model's working length) instead of a null embedding.")
    boolean truncate;

    @Option(names = "--passage", description = "The texts are documents to be retrieved: a model with prefixes (e5-small-v2) puts its passage"
            + " prefix before each (default: its query prefix), as ./mlm4j embed --passage.")
    boolean passage;

    @Option(names = "--max-length", defaultValue = "0", paramLabel = "N", description = "Longest text in tokens and where --truncate cuts, up to the position table (512); 0: the model's working length (256 for all-MiniLM-L6-v2).")
    int maxLength;

    @Option(names = "--batch-size", defaultValue = "64", paramLabel = "N", description = "Texts per forward pass, at most (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--batch-tokens", defaultValue = "4096", paramLabel = "N", description = "Tokens per forward pass, at most (default: ${DEFAULT-VALUE}).")
    int batchTokens;

    @Option(names = "--vector", description = "Write an ML Vector column instead of array<float>.")
    boolean vector;

    @Option(names = "--keep-text", description = "Keep the text column in the output.")
    boolean keepText;

    @Option(names = "--overwrite", description = "Replace the output if it exists.")
    boolean overwrite;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "A Spark setting, e.g. --conf spark.executor.memory=4g (repeatable; in local mode the heap is MLM4J_JAVA_OPTS=-Xmx…).")
    Map<String, String> conf = new LinkedHashMap<>();

    /** What a run did. */
    public record Summary(long rows, long embedded, long skipped, double seconds) {
        public double rowsPerSecond() {
            return rows / Math.max(seconds, 1e-9);
        }
    }

    private final PrintStream log;

    public SparkEmbedJob() {
        this(System.err);
    }

    SparkEmbedJob(PrintStream log) {
        this.log = log;
    }

    /** spark-submit's entry point. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Parses {@code args}, runs the job, returns the exit code: 0 done, 1 failed, 2 bad usage. Used by {@code ./mlm4j spark-embed}. */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new SparkEmbedJob());
        cl.setParameterExceptionHandler((ex, a) -> {
            System.err.println("mlm4j: " + ex.getMessage());
            System.err.println("Try 'mlm4j spark-embed --help' for more information.");
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, c, p) -> {
            System.err.println("mlm4j: " + describe(ex));
            if (System.getenv("MLM4J_DEBUG") != null) ex.printStackTrace();
            return 1;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() {
        checkBeforeSpark();
        long t0 = System.nanoTime();
        SparkSession.Builder b = SparkSession.builder().appName("mlm4j spark-embed");
        if (master != null) b.master(master);
        else if (!new SparkConf().contains("spark.master")) b.master("local[*]");
        conf.forEach(b::config);
        SparkSession spark = b.getOrCreate();
        try {
            log.printf(Locale.ROOT, "spark-embed: Spark %s, master %s, %d cores, session started in %.1f s%n", spark.version(),
                    spark.sparkContext().master(), spark.sparkContext().defaultParallelism(), (System.nanoTime() - t0) / 1e9);
            Summary s = embed(spark);
            log.printf(Locale.ROOT, "spark-embed: %,d rows (%,d embedded, %,d with a reason) in %.1f s: %,.1f rows/s → %s%n",
                    s.rows(), s.embedded(), s.skipped(), s.seconds(), s.rowsPerSecond(), output);
            return 0;
        } finally {
            spark.stop();
        }
    }

    /** Model, input and output checked before Spark starts (seconds saved on a typo); remote paths are left to Spark. */
    void checkBeforeSpark() {
        if (!List.of("auto", "text", "parquet").contains(format)) throw new IllegalArgumentException("--format is auto, text or parquet, not '" + format + "'");
        if (pooling != null && !List.of("mean", "cls").contains(pooling)) throw new IllegalArgumentException("--pooling is mean or cls, not '" + pooling + "'");
        if (batchSize < 1 || batchTokens < 1) throw new IllegalArgumentException("--batch-size and --batch-tokens must be at least 1");
        if (partitions < 0) throw new IllegalArgumentException("--partitions must be 0 (the default: 4 × the cores) or more, got " + partitions);
        if (maxLength != 0 && maxLength < 2) throw new IllegalArgumentException("--max-length must be 0 (the model's) or at least 2");
        ModelCheck.onDriver(model, "spark-embed");
        localPath(input).ifPresent(p -> {
            if (!hasGlob(input) && !Files.exists(p)) throw new IllegalArgumentException("no such input: " + p);
        });
        localPath(output).ifPresent(p -> {
            if (Files.exists(p) && !overwrite) throw new IllegalArgumentException("output " + p + " exists; add --overwrite to replace it");
        });
    }

    /** Reads, embeds and writes with {@code spark} (which the caller owns); used by tests with their own session. */
    public Summary embed(SparkSession spark) {
        Dataset<Row> docs = read(spark).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            long rows = docs.count();
            int n = partitions > 0 ? partitions
                    : (int) Math.max(1, Math.min(4L * spark.sparkContext().defaultParallelism(), (rows + 15) / 16));
            Embedder embedder = new Embedder().setModel(model).setInputCol("text").setOutputCol("embedding").setReasonCol("reason")
                    .setTruncate(truncate).setMaxLength(maxLength).setBatchSize(batchSize).setBatchTokens(batchTokens)
                    .setOutputType(vector ? "vector" : "array");
            if (pooling != null) embedder.setPooling(pooling);
            if (normalize != null) embedder.setNormalize(normalize);
            if (passage) embedder.setInput("passage");
            Dataset<Row> out = embedder.transform(docs.repartition(n));
            List<Column> keep = new ArrayList<>();
            for (String c : out.columns()) if (keepText || !c.equals("text")) keep.add(col(c));
            log.printf(Locale.ROOT, "spark-embed: %,d documents from %s in %d partition%s, model %s%n", rows, input, n, n == 1 ? "" : "s", model);
            Meter meter = new Meter(rows, log);
            spark.sparkContext().addSparkListener(meter);
            long t0 = System.nanoTime();
            try {
                out.select(keep.toArray(Column[]::new)).write().mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists).parquet(output);
            } finally {
                meter.stop();
                spark.sparkContext().removeSparkListener(meter);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            long skipped = spark.read().parquet(output).filter(col("reason").isNotNull()).count();
            return new Summary(rows, rows - skipped, skipped, seconds);
        } finally {
            docs.unpersist();
        }
    }

    /** The documents as (id, [file,] text). */
    Dataset<Row> read(SparkSession spark) {
        boolean parquet = format.equals("parquet") || (format.equals("auto") && looksLikeParquet(input));
        if (parquet) {
            Dataset<Row> df = spark.read().parquet(input);
            List<String> cols = Arrays.asList(df.columns());
            if (!cols.contains(textColumn)) {
                throw new IllegalArgumentException("no column '" + textColumn + "' in " + input + " (columns: " + String.join(", ", cols) + "); use --text-column");
            }
            if (!df.schema().apply(textColumn).dataType().equals(DataTypes.StringType)) {
                throw new IllegalArgumentException("column '" + textColumn + "' of " + input + " is " + df.schema().apply(textColumn).dataType().simpleString() + ", not string");
            }
            if (idColumn != null) {
                if (!cols.contains(idColumn)) throw new IllegalArgumentException("no column '" + idColumn + "' in " + input + " (columns: " + String.join(", ", cols) + ")");
                return df.select(col(idColumn).as("id"), col(textColumn).as("text"));
            }
            return numbered(spark, df.select(col(textColumn).as("text")));
        }
        Dataset<Row> lines = (wholeFiles ? spark.read().option("wholetext", true).text(input) : spark.read().text(input))
                .select(col("_metadata.file_path").as("file"), col("value").as("text"));
        return numbered(spark, lines);
    }

    /** {@code df}'s rows with an {@code id} in front: their position in the input as Spark reads it, from 0. */
    private static Dataset<Row> numbered(SparkSession spark, Dataset<Row> df) {
        StructType schema = new StructType().add("id", DataTypes.LongType, false);
        for (var f : df.schema().fields()) schema = schema.add(f);
        JavaRDD<Row> rows = df.javaRDD().zipWithIndex().map(t -> {
            Object[] v = new Object[t._1().length() + 1];
            v[0] = t._2();
            for (int i = 0; i < t._1().length(); i++) v[i + 1] = t._1().get(i);
            return RowFactory.create(v);
        });
        return spark.createDataFrame(rows, schema);
    }

    private static boolean looksLikeParquet(String path) {
        if (path.endsWith(".parquet") || path.endsWith(".parquet/")) return true;
        return localPath(path).filter(Files::isDirectory).map(p -> {
            try (var files = Files.list(p)) {
                return files.anyMatch(f -> f.getFileName().toString().endsWith(".parquet"));
            } catch (java.io.IOException e) {
                return false;
            }
        }).orElse(false);
    }

    private static boolean hasGlob(String path) {
        return path.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
    }

    /** The local file a path names (no scheme, or file:), or empty for hdfs:, s3a: and the like. */
    static java.util.Optional<Path> localPath(String path) {
        try {
            if (path.startsWith("file:")) return java.util.Optional.of(Path.of(URI.create(path)));
            if (path.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*") && !path.matches("^[A-Za-z]:\\\\.*")) return java.util.Optional.empty();
            return java.util.Optional.of(Path.of(path).toAbsolutePath().normalize());
        } catch (RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    /** The root cause's message, one line: Spark wraps task failures several times over. */
    static String describe(Throwable ex) {
        Throwable t = ex;
        while (t.getCause() != null && t.getCause() != t && (t instanceof SparkException || t.getMessage() == null
                || t instanceof java.util.concurrent.ExecutionException || t instanceof java.lang.reflect.InvocationTargetException)) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        m = m.lines().findFirst().orElse("").trim();
        boolean expected = t instanceof IllegalArgumentException || t instanceof IllegalStateException || t instanceof java.io.IOException
                || t instanceof java.io.UncheckedIOException || t instanceof org.apache.spark.sql.AnalysisException;
        return expected ? m : t.getClass().getSimpleName() + ": " + m + " (MLM4J_DEBUG=1 shows the stack trace)";
    }

    /**
     * Progress on the driver, from Spark's own task metrics: rows written by finished tasks of the write job, a line
     * every few seconds (and when the job ends).
     */
    static final class Meter extends SparkListener {
        private final long total;
        private final PrintStream log;
        private final AtomicLong written = new AtomicLong();
        private final long startNanos = System.nanoTime();
        private volatile boolean running = true;
        private final Thread printer;

        Meter(long total, PrintStream log) {
            this.total = total;
            this.log = log;
            this.printer = Thread.ofPlatform().daemon().name("mlm4j-progress").start(() -> {
                long last = -1;
                while (running) {
                    try {
                        Thread.sleep(5000);
                    } catch (InterruptedException e) {
                        return;
                    }
                    long w = written.get();
                    if (w != last && w > 0 && running) print(w);
                    last = w;
                }
            });
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
            if (taskEnd.taskMetrics() != null) written.addAndGet(taskEnd.taskMetrics().outputMetrics().recordsWritten());
        }

        private void print(long w) {
            double s = (System.nanoTime() - startNanos) / 1e9;
            double rate = w / Math.max(s, 1e-9);
            String eta = rate > 0 && w < total ? String.format(Locale.ROOT, ", about %.0f s left", (total - w) / rate) : "";
            log.printf(Locale.ROOT, "spark-embed: %,d / %,d rows (%.0f%%), %,.1f rows/s%s%n", w, total, 100.0 * w / Math.max(total, 1), rate, eta);
        }

        void stop() {
            running = false;
            printer.interrupt();
            print(written.get());
        }
    }
}
