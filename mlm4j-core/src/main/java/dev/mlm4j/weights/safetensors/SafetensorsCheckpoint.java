package dev.mlm4j.weights.safetensors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.CanonicalNames;
import dev.mlm4j.weights.TensorInfo;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.WeightException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A Hugging Face safetensors checkpoint — one {@code model.safetensors}, or the shards listed by a
 * {@code model.safetensors.index.json} — under the canonical names of {@link TensorSource} (a bare
 * {@code BertModel}'s names gain {@code bert.}; {@code gamma}/{@code beta} become {@code weight}/{@code bias}).
 *
 * <pre>
 *   try (SafetensorsCheckpoint st = SafetensorsCheckpoint.open(Path.of("models/bert-base-uncased"))) {
 *       FloatTensor emb = st.load("bert.embeddings.word_embeddings.weight");
 *   }
 * </pre>
 *
 * <p>Files are memory-mapped once; {@link #load} decodes one tensor onto the heap (F16 and BF16
 * widened to float32). Every header is validated as untrusted input when the checkpoint is opened (see
 * {@link SafetensorsFile}). Tensors of other types are listed with their {@link dev.mlm4j.weights.DType}
 * but loading them as floats is an error; types mlm4j has no {@code DType} for (U16, F8, ...) are
 * validated and left out. Thread-safe; {@link #close} unmaps the files.
 */
public final class SafetensorsCheckpoint implements TensorSource {
    /** File names Hugging Face's {@code save_pretrained} uses. */
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private record Location(SafetensorsFile file, SafetensorsFile.Tensor tensor) {}

    private final Path origin;
    private final List<SafetensorsFile> files;
    private final Map<String, Location> tensors;
    private final Map<String, String> metadata;
    /** Canonical name → safetensors dtype of the tensors not presented (no mlm4j DType). */
    private final Map<String, String> unrepresentable;
    private volatile boolean closed;

    private SafetensorsCheckpoint(Path origin, List<SafetensorsFile> files, Map<String, Location> tensors, Map<String, String> metadata,
                                  Map<String, String> unrepresentable) {
        this.origin = origin;
        this.files = files;
        this.tensors = tensors;
        this.metadata = metadata;
        this.unrepresentable = unrepresentable;
    }

    /**
     * Opens a checkpoint: a {@code .safetensors} file, a {@code .index.json} of shards, or a Hugging Face
     * model folder (its {@value #INDEX_FILE} if present, else its {@value #SINGLE_FILE}).
     */
    public static SafetensorsCheckpoint open(Path path) {
        if (Files.isDirectory(path)) {
            Path index = path.resolve(INDEX_FILE);
            if (Files.isRegularFile(index)) return openIndex(index);
            Path single = path.resolve(SINGLE_FILE);
            if (Files.isRegularFile(single)) return openFiles(single, List.of(single), null);
            throw new WeightException("no " + SINGLE_FILE + " or " + INDEX_FILE + " in " + path + listing(path));
        }
        if (path.getFileName() != null && path.getFileName().toString().endsWith(".index.json")) return openIndex(path);
        return openFiles(path, List.of(path), null);
    }

    private static SafetensorsCheckpoint openIndex(Path index) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(index));
        } catch (IOException e) {
            throw new WeightException("cannot read the shard index " + index + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject() || !root.path("weight_map").isObject()) {
            throw new WeightException(index + " has no \"weight_map\" object (not a safetensors shard index)");
        }
        Map<String, String> weightMap = new LinkedHashMap<>();
        List<Path> shards = new ArrayList<>();
        Path dir = index.toAbsolutePath().getParent();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.get("weight_map").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String shard = e.getValue().isTextual() ? e.getValue().asText() : null;
            if (shard == null || shard.isEmpty() || shard.contains("/") || shard.contains("\\") || shard.equals(".") || shard.equals("..")) {
                throw new WeightException(index + ": tensor '" + e.getKey() + "' is mapped to " + e.getValue()
                        + ", which is not a file name beside the index");
            }
            weightMap.put(e.getKey(), shard);
            Path p = dir.resolve(shard);
            if (!shards.contains(p)) shards.add(p);
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        root.path("metadata").fields().forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()));
        for (Path p : shards) {
            if (!Files.isRegularFile(p)) throw new WeightException(index + " lists shard " + p.getFileName() + ", which is not in " + dir);
        }
        SafetensorsCheckpoint c = openFiles(index, shards, metadata);
        try {
            for (var e : weightMap.entrySet()) {
                Location at = c.tensors.get(CanonicalNames.canonical(e.getKey()));
                if (at == null || !at.file().path.getFileName().toString().equals(e.getValue())) {
                    throw new WeightException(index + " puts '" + e.getKey() + "' in " + e.getValue() + (at == null
                            ? ", but no shard holds it" : ", but it is in " + at.file().path.getFileName()));
                }
            }
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private static SafetensorsCheckpoint openFiles(Path origin, List<Path> paths, Map<String, String> indexMetadata) {
        List<SafetensorsFile> files = new ArrayList<>();
        try {
            Map<String, Location> tensors = new TreeMap<>();
            Map<String, String> rawNames = new LinkedHashMap<>();
            Map<String, String> unrepresentable = new TreeMap<>();
            for (Path p : paths) {
                SafetensorsFile f = SafetensorsFile.open(p);
                files.add(f);
                for (SafetensorsFile.Tensor t : f.tensors.values()) {
                    if (t.dtype() == null) { // a type mlm4j cannot name: validated, not presented
                        unrepresentable.put(CanonicalNames.canonical(t.name()), t.dtypeName());
                        continue;
                    }
                    String name = CanonicalNames.canonical(t.name());
                    Location before = tensors.put(name, new Location(f, t));
                    if (before != null) {
                        throw new WeightException(origin + ": '" + rawNames.get(name) + "' in " + before.file().path.getFileName()
                                + " and '" + t.name() + "' in " + p.getFileName() + " are both '" + name + "'");
                    }
                    rawNames.put(name, t.name());
                }
            }
            Map<String, String> metadata = indexMetadata != null ? indexMetadata : files.getFirst().metadata;
            return new SafetensorsCheckpoint(origin, List.copyOf(files), tensors, Collections.unmodifiableMap(metadata), unrepresentable);
        } catch (RuntimeException e) {
            files.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    private static String listing(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> names = s.map(p -> p.getFileName().toString()).sorted().limit(8).toList();
            return names.isEmpty() ? " (it is empty)" : " (it holds " + String.join(", ", names) + ")";
        } catch (IOException e) {
            return "";
        }
    }

    /** The file's {@code __metadata__} (e.g. {@code format=pt}), or a shard index's {@code metadata}. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The name {@code name} has inside its file (before canonicalisation), or null when absent. */
    public String storedName(String name) {
        Location at = tensors.get(name);
        return at == null ? null : at.tensor().name();
    }

    @Override
    public String origin() {
        return origin.toString();
    }

    @Override
    public java.util.Set<String> names() {
        return Collections.unmodifiableSet(tensors.keySet());
    }

    @Override
    public TensorInfo info(String name) {
        Location at = tensors.get(name);
        return at == null ? null : new TensorInfo(name, at.tensor().dtype(), at.tensor().shape().clone());
    }

    @Override
    public FloatTensor load(String name) {
        return loadInto(name, null);
    }

    /** Reads into {@code buffer} when it is large enough. */
    @Override
    public FloatTensor loadInto(String name, float[] buffer) {
        if (closed) throw new WeightException(origin + " is closed; cannot load '" + name + "'");
        Location at = tensors.get(name);
        if (at == null) {
            String dtype = unrepresentable.get(name);
            throw new WeightException(dtype == null ? "no tensor '" + name + "' in " + origin
                    : "tensor '" + name + "' in " + origin + " is " + dtype + ", a type mlm4j does not read");
        }
        return FloatTensor.wrapPrefix(at.file().floats(at.tensor(), name, buffer), at.tensor().shape());
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        files.forEach(SafetensorsFile::close);
    }
}
