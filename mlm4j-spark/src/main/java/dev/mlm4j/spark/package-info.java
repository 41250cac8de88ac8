/**
 * The mlm4j pipelines over Apache Spark DataFrames (Spark 4.x, Scala 2.13, JDK 25).
 * <ul>
 *   <li>Spark ML stages: {@link dev.mlm4j.spark.Embedder} (text → vector), {@link dev.mlm4j.spark.MaskFiller}
 *       (text with [MASK] → candidates), {@link dev.mlm4j.spark.Tokenizer} (text → ids and offsets),
 *       {@link dev.mlm4j.spark.AttentionGraphs} (text → attention edges), and for fine-tuned task models
 *       {@link dev.mlm4j.spark.TextClassifier} (text or pair → labels) and {@link dev.mlm4j.spark.EntityTagger}
 *       (text → entities); each adds a result and a reason column,
 *       saves and loads like Spark's own stages;</li>
 *   <li>SQL functions: {@link dev.mlm4j.spark.Mlm4jUdfs} ({@code embed}, {@code fill_mask}, {@code tokenize});</li>
 *   <li>the example job {@link dev.mlm4j.spark.SparkEmbedJob} ({@code ./mlm4j spark-embed}, or spark-submit).</li>
 * </ul>
 * Models are named, never shipped: the driver checks the name or folder ({@link dev.mlm4j.spark.ModelCheck}); each
 * executor JVM loads it once and shares it between its task threads ({@code ExecutorModels}); partitions run in
 * padding-free batches ({@code Batches}). See docs/spark.md.
 */
package dev.mlm4j.spark;
