/**
 * ONNX at the loading edge: {@link dev.mlm4j.weights.onnx.OnnxCheckpoint} reads an exported BERT's
 * weights (never runs its graph), names them the Hugging Face way by following the graph, and infers
 * its {@link dev.mlm4j.config.BertConfig}. {@code OnnxProto} is generated at build time from
 * {@code src/main/proto/onnx.proto}, the subset of the ONNX IR this needs.
 */
package dev.mlm4j.weights.onnx;
