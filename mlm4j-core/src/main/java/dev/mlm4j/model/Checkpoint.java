package dev.mlm4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.config.EncoderConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.hub.ModelCache;
import dev.mlm4j.hub.ModelCard;
import dev.mlm4j.kernels.Gemm;
import dev.mlm4j.kernels.PackedCache;
import dev.mlm4j.kernels.PackedMatrix;
import dev.mlm4j.tokens.Tokenizer;
import dev.mlm4j.tokens.TokenizerFiles;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.onnx.OnnxCheckpoint;
import dev.mlm4j.weights.safetensors.SafetensorsCheckpoint;
import dev.mlm4j.weights.tf.TfCheckpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Everything a model folder holds, whatever its format: the architecture, the named tensors (Hugging Face
 * names and layouts) and the tokenizer; {@link #load} builds a model on them through the family's registered heads.
 * The only class that looks at which files are present: the formats' readers are in {@code weights}, tokenizer
 * discovery in {@link TokenizerFiles}, the architecture's checks in the {@link EncoderFamily}. Recognised layouts:
 * <ul>
 *   <li>TensorFlow checkpoint (Google's BERT, as the hub unpacks it): {@code variables/variables.index} +
 *       data shard, {@code assets/vocab.txt}, {@code assets/model.json} ({@code doLowerCase});</li>
 *   <li>Hugging Face folder: {@code config.json} + {@code model.safetensors} (or its sharded index) +
 *       {@code tokenizer.json} or {@code vocab.txt};</li>
 *   <li>ONNX: a {@code *.onnx} file (or a folder with {@code model.onnx}) + {@code tokenizer.json}.</li>
 * </ul>
 *
 * @param folder    where the files are
 * @param format    which layout was found
 * @param family    the encoder family, chosen by config.json's model_type/architectures (TensorFlow and ONNX: BERT)
 * @param config    the family's config record, from config.json or inferred from the tensors' shapes (ONNX: the graph)
 * @param tensors   the weights, memory-mapped where the format allows
 * @param tokenizer the model's own tokenizer; casing comes from the model's metadata, never from its name
 * @param card      the hub's card when the folder came from the hub (task, pooling, max length)
 */
public record Checkpoint(Path folder, String format, EncoderFamily family, EncoderConfig config, TensorSource tensors,
                         Tokenizer tokenizer, Optional<ModelCard> card) implements AutoCloseable {

    /** In a holder: a checkpoint without config.json (TensorFlow) never initialises databind (see JsonScalars). */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    /** Opens a model folder (or an .onnx file). */
    public static Checkpoint open(Path path) {
        Gemm.compileTilesAhead(); // with -Dmlm4j.compileTilesAhead=true: the JIT compiles the tiles while this loads
        try {
            if (!Files.exists(path)) throw new IllegalArgumentException("no such model folder: " + path);
            Path folder = Files.isDirectory(path) ? path : path.getParent();
            Optional<ModelCard> card = ModelCard.read(folder);
            if (Files.isRegularFile(folder.resolve("variables/variables.index"))) return openTensorFlow(folder, card);
            if (Files.isRegularFile(folder.resolve("config.json"))) return openHuggingFace(folder, card);
            Path onnx = Files.isRegularFile(path) && path.toString().endsWith(".onnx") ? path : folder.resolve("model.onnx");
            if (Files.isRegularFile(onnx)) return openOnnx(onnx, folder, card);
            throw new IllegalArgumentException(path + " is not a model folder: expected variables/variables.index (TensorFlow),"
                    + " config.json + model.safetensors (Hugging Face) or model.onnx");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model at " + path + ": " + e.getMessage(), e);
        }
    }

    private static Checkpoint openTensorFlow(Path folder, Optional<ModelCard> card) throws IOException {
        TokenizerFiles vocab = TokenizerFiles.tensorFlowAssets(folder);
        TensorSource tensors = TfCheckpoint.open(folder.resolve("variables"));
        return closingOnFailure(tensors, () -> {
            EncoderFamily family = EncoderFamilies.bert();
            return withTokenizer(folder, "tensorflow", family, family.inferConfig(tensors), tensors, vocab, card);
        });
    }

    private static Checkpoint openHuggingFace(Path folder, Optional<ModelCard> card) throws IOException {
        JsonNode root;
        Path file = folder.resolve("config.json");
        try {
            root = Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable " + file + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""), e);
        }
        EncoderFamily family = EncoderFamilies.of(root, file.toString());
        EncoderConfig config = family.readConfig(root, file.toString());
        TensorSource tensors = SafetensorsCheckpoint.open(folder);
        return closingOnFailure(tensors, () -> {
            family.checkAgainst(config, tensors);
            return withTokenizer(folder, "safetensors", family, config, tensors, TokenizerFiles.huggingFace(folder), card);
        });
    }

    private static Checkpoint openOnnx(Path file, Path folder, Optional<ModelCard> card) throws IOException {
        OnnxCheckpoint tensors = OnnxCheckpoint.open(file);
        return closingOnFailure(tensors, () -> {
            EncoderFamily family = EncoderFamilies.bert();  // the graph mapping reads BERT's graph, and names its config
            return withTokenizer(folder, "onnx", family, tensors.config(), tensors, TokenizerFiles.tokenizerJsonBeside(folder, file), card);
        });
    }

    /** What each format's opener does once its tensors are open: builds the rest of the checkpoint from them. */
    @FunctionalInterface
    private interface Assembly {
        Checkpoint build() throws IOException;
    }

    /** {@code assembly}'s checkpoint; if it fails, the tensors it was built on are closed before the error goes on. */
    private static Checkpoint closingOnFailure(TensorSource tensors, Assembly assembly) throws IOException {
        try {
            return assembly.build();
        } catch (RuntimeException | IOException e) {
            tensors.close();
            throw e;
        }
    }

    /** The last step every format shares: the tokenizer loaded and checked against the embedding table, then the checkpoint. */
    private static Checkpoint withTokenizer(Path folder, String format, EncoderFamily family, EncoderConfig config, TensorSource tensors,
                                            TokenizerFiles vocab, Optional<ModelCard> card) throws IOException {
        Tokenizer tokenizer = vocab.load();
        family.checkVocabulary(tokenizer.vocabSize(), vocab.file(), tensors);
        return new Checkpoint(folder, format, family, config, tensors, tokenizer, card);
    }

    /**
     * The model for {@code task} on these weights, built by the family's registered head; empty when the family
     * has no head for the task or the checkpoint does not carry its weights (a model without {@code cls.predictions.*}
     * has no masked-LM head).
     */
    public <M> Optional<M> load(Task<M> task, Precision precision) {
        return family.head(task).filter(h -> h.isIn(tensors)).map(h -> {
            PackedCache cache = packedCache(task, precision);
            if (cache == null) return h.load(tensors, config, precision);
            try {
                M model = h.load(TensorSource.withPackedCache(tensors, cache), config, precision);
                cache.save();
                return model;
            } finally {
                cache.close();
            }
        });
    }

    /**
     * The packed-weight cache of a model the hub unpacked ({@link ModelCache#MARKER}; a user's own folder is left as
     * it is), one file per task and panel width beside the model: {@code .mlm4j-packed-<task>-nr<NR>.bin}, valid
     * while the folder's files keep their names, sizes and modification times. fp32 only; {@code -Dmlm4j.packedCache=false}
     * turns it off. Null when there is none.
     */
    private PackedCache packedCache(Task<?> task, Precision precision) {
        if (precision != Precision.FP32 || "false".equals(System.getProperty("mlm4j.packedCache"))) return null;
        if (!Files.isRegularFile(folder.resolve(ModelCache.MARKER))) return null;
        String name = ".mlm4j-packed-" + task.name() + "-nr" + PackedMatrix.NR + ".bin";
        try (var files = Files.walk(folder, 3)) {
            StringBuilder fingerprint = new StringBuilder();
            files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith(".mlm4j-packed-")).sorted().forEach(f -> {
                try {
                    fingerprint.append(folder.relativize(f)).append(' ').append(Files.size(f)).append(' ')
                            .append(Files.getLastModifiedTime(f).to(TimeUnit.NANOSECONDS)).append('\n');
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            return PackedCache.open(folder.resolve(name), fingerprint.toString());
        } catch (IOException | UncheckedIOException e) {
            return null; // the folder cannot be listed: load without the cache
        }
    }

    /** {@link #load(Task, Precision)} at the process default precision ({@link Precision#fromProperty()}). */
    public <M> Optional<M> load(Task<M> task) {
        return load(task, Precision.fromProperty());
    }

    /** Whether these weights carry {@code task}'s head (e.g. {@code cls.predictions.*} for the masked LM); nothing is loaded. */
    public boolean has(Task<?> task) {
        return family.head(task).filter(h -> h.isIn(tensors)).isPresent();
    }

    /** Whether {@code path} has one of the layouts {@link #open} recognises, by its files alone (nothing is read). */
    public static boolean looksLikeModel(Path path) {
        if (Files.isRegularFile(path)) return path.toString().endsWith(".onnx");
        return Files.isRegularFile(path.resolve("variables/variables.index")) || Files.isRegularFile(path.resolve("config.json"))
                || Files.isRegularFile(path.resolve("model.onnx"));
    }

    /** The longest input the model takes, in tokens: the card's, else the position table's size. */
    public int maxLength() {
        return card.map(ModelCard::maxLength).orElse(config.maxPositionEmbeddings());
    }

    @Override
    public void close() {
        tensors.close();
    }
}
