import org.apache.spark.sql.SparkSession;

/**
 * Writes docs.parquet for scripts/doc-tests: the input of docs/spark.md's Parquet example
 * ({@code --text-column body --id-column doc_id}), three documents, one of them empty (it must come out with a reason).
 * Run by the doc-test runner as a single-file program on mlm4j-spark/target/classpath.txt.
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
