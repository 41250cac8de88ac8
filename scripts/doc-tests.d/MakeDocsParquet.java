import org.apache.spark.sql.SparkSession;

/**
 * Wrote scripts/doc-tests.d/docs.parquet (the one part file of its output) for scripts/doc-tests: the input of docs/spark.md's Parquet example
 * ({@code --text-column body --id-column doc_id}), three documents, one of them empty (it must come out with a reason).
 * Run as a single-file program on mlm4j-spark/target/classpath.txt, with the launcher's Spark JVM flags: java -cp … MakeDocsParquet.java OUT.
 */
public class MakeDocsParquet {
    public static void main(String[] args) {
        SparkSession spark = SparkSession.builder().master("local[1]").appName("doc-tests fixture")
                .config("spark.ui.enabled", "false").getOrCreate();
        spark.sql("SELECT * FROM VALUES (101L, 'A man is playing a guitar.'), (102L, 'Paris is the capital of France.'),"
                        + " (103L, '') AS docs(doc_id, body)")
                .coalesce(1).write().parquet(args[0]);
        spark.stop();
    }
}
