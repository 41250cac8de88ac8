/**
 * Hugging Face safetensors at the loading edge: {@link dev.mlm4j.weights.safetensors.SafetensorsCheckpoint}
 * reads a file, a shard index or a model folder (headers validated as untrusted input, data mapped);
 * {@link dev.mlm4j.weights.safetensors.SafetensorsWriter} writes float32 checkpoints in the exact format,
 * atomically.
 */
package dev.mlm4j.weights.safetensors;
