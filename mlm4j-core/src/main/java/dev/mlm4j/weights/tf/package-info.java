/**
 * TensorFlow checkpoints (the "tensor bundle" format of {@code tf.train.Saver} V2 and of every SavedModel's
 * {@code variables/}), in two layers:
 * <ul>
 *   <li>the reader, in TensorFlow's own terms and reusable for any TensorFlow model:
 *       {@link dev.mlm4j.weights.tf.LevelDbTable} (the {@code .index} SSTable),
 *       {@link dev.mlm4j.weights.tf.BundleHeader} and {@link dev.mlm4j.weights.tf.BundleEntry} (its protos),
 *       {@link dev.mlm4j.weights.tf.TensorBundle} (index + memory-mapped data shards, TF names and layouts);</li>
 *   <li>the BERT adapter: {@link dev.mlm4j.weights.tf.TfNames} (transformers' {@code load_tf_weights_in_bert}
 *       name table) and {@link dev.mlm4j.weights.tf.TfCheckpoint}, the
 *       {@link dev.mlm4j.weights.TensorSource} that presents Hugging Face names and PyTorch layouts.</li>
 * </ul>
 * No TensorFlow, protobuf or JNI dependency: the three small protos are decoded by hand
 * ({@code ProtoReader}), checksums are the JDK's {@link java.util.zip.CRC32C}.
 */
package dev.mlm4j.weights.tf;
