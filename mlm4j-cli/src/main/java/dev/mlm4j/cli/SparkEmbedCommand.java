package dev.mlm4j.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ./mlm4j spark-embed}: the mlm4j-spark example job. Spark (~290 MB of jars) is not in the CLI's jar; the
 * launcher builds mlm4j-spark and puts it, with Spark, on the classpath when the command is spark-embed. The job
 * ({@code dev.mlm4j.spark.SparkEmbedJob}) owns the options, so they are the same here and under spark-submit;
 * everything after {@code spark-embed} is handed to it as is.
 */
@Command(name = "spark-embed",
        description = {
                "Embeds a corpus with Apache Spark (local mode by default, --master for a cluster) and writes Parquet with ids and vectors.",
                "Example: ./mlm4j spark-embed --input corpus/ --output out.parquet",
                "Options: ./mlm4j spark-embed --help. Clusters: spark-submit with mlm4j-spark-all.jar (docs/spark.md)."
        })
final class SparkEmbedCommand implements Callable<Integer> {

    static final String JOB = "dev.mlm4j.spark.SparkEmbedJob";

    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Class<?> job;
        try {
            job = Class.forName(JOB);
            Class.forName("org.apache.spark.sql.SparkSession");
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("spark-embed needs Spark and mlm4j-spark on the classpath, which the CLI jar does not carry:"
                    + " run it as './mlm4j spark-embed …' (the launcher builds mlm4j-spark and adds Spark) or with spark-submit (docs/spark.md)");
        }
        try {
            return (Integer) job.getMethod("run", String[].class).invoke(null, (Object) args.toArray(String[]::new));
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
    }
}
