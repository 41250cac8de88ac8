package dev.mlm4j.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mlm4j.config.BertConfig;
import dev.mlm4j.config.EncoderConfig;
import dev.mlm4j.hub.ModelCard;
import dev.mlm4j.model.Checkpoint;
import dev.mlm4j.model.Head;
import dev.mlm4j.model.Task;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tokens.Tokenizer;
import dev.mlm4j.weights.DType;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.safetensors.SafetensorsWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Writes any model {@link Checkpoint} can read (TensorFlow checkpoint, ONNX, Hugging Face folder) as a Hugging Face
 * folder that transformers' {@code from_pretrained} and sentence-transformers load as they are:
 * <ul>
 *   <li>{@code config.json}: a {@code BertConfig} with Hugging Face's field names, {@code "model_type": "bert"} and
 *       {@code "architectures": ["BertForMaskedLM"]} when the masked-LM head is there, else {@code ["BertModel"]};</li>
 *   <li>{@code model.safetensors}: float32, canonical names ({@code bert.*}, {@code cls.*}; transformers strips
 *       the {@code bert.} prefix itself when it loads a bare {@code BertModel}). The MLM decoder is tied to the word
 *       embeddings, so, as {@code save_pretrained} does, neither {@code cls.predictions.decoder.weight} nor its bias
 *       is written ({@code tie_word_embeddings: true}); an untied decoder is written and the config says so.
 *       Non-float buffers ({@code position_ids}) are left out: transformers makes its own;</li>
 *   <li>tokenizer: {@code tokenizer.json} copied byte for byte when the source has one, else {@code vocab.txt};
 *       always {@code tokenizer_config.json} with {@code do_lower_case} (without it, transformers' fast BERT
 *       tokenizer would lower-case a cased model) and {@code clean_up_tokenization_spaces} true (mlm4j's decoding;
 *       transformers 5 would otherwise print "i ' m");</li>
 *   <li>the hub card ({@value ModelCard#FILE_NAME}, format {@code safetensors}) so mlm4j keeps the pooling,
 *       normalisation and working length, and for an embeddings model sentence-transformers' {@code modules.json},
 *       {@code sentence_bert_config.json} and {@code 1_Pooling/config.json} saying the same.</li>
 * </ul>
 * A model of another family (RoBERTa, XLM-RoBERTa, ELECTRA, DistilBERT, DeBERTa-v2/v3, ModernBERT) can only have come
 * from a Hugging Face folder, which transformers wrote for that family: {@link FamilyFolder} copies its config.json,
 * safetensors and tokenizer files as they are, so the round trip is exact (see there).
 * Atomic: everything is written into a temporary sibling folder, which is renamed to the target at the end;
 * a failure leaves nothing behind. A non-empty target is refused unless {@code force}, which replaces it if it is a
 * model folder (it has a config.json or mlm4j-model.json): a mistyped target never deletes someone's home folder.
 */
public final class Converter {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** transformers' default {@code max_shard_size}. */
    static final long MAX_SHARD_BYTES = 5_000_000_000L;

    private Converter() {}

    /**
     * What was written.
     *
     * @param folder       the new model folder
     * @param architecture {@code BertForMaskedLM} or {@code BertModel}; another family's: its config.json's first architecture
     * @param config       the architecture written to config.json
     * @param tensors      tensors written
     * @param parameters   their elements, summed
     * @param files        the files in the folder, relative, sorted
     * @param leftOut      tensors of the source not written (non-float buffers, the tied decoder)
     */
    public record Result(Path folder, String architecture, EncoderConfig config, int tensors, long parameters, List<String> files,
                         List<String> leftOut) {}

    /** Converts the model at {@code source} (a folder or .onnx file) into {@code target}; see the class comment. */
    public static Result convert(Path source, Path target, boolean force) {
        return convert(source, target, force, null);
    }

    /**
     * As {@link #convert(Path, Path, boolean)}, but with {@code head} (a {@link HeadFolder}; null: none) a task model:
     * the encoder's {@code bert.embeddings.*} and {@code bert.encoder.*} tensors, its {@code bert.pooler.*} only for a
     * {@code *ForSequenceClassification} (transformers builds the token-classification and QA models without one), no
     * {@code cls.*}; then every tensor of head.safetensors, added or replacing one of the same name (a pooler for an
     * encoder without one); config.json with each key of config-fragment.json set; the tokenizer files as for the encoder;
     * no mlm4j-model.json (its task would be the encoder's). What the task fixtures' README prescribes and their
     * script's {@code assemble()} did. A head whose tensors do not fit the encoder (another hidden size), whose classifier
     * disagrees with its labels, or whose architecture mlm4j does not implement is refused before anything is written.
     */
    public static Result convert(Path source, Path target, boolean force, Path head) {
        HeadFolder h = head == null ? null : HeadFolder.read(head);
        Path out = target.toAbsolutePath().normalize();
        checkTarget(source, out, force);
        try (Checkpoint c = Checkpoint.open(source)) {
            Path parent = out.getParent();
            Files.createDirectories(parent);
            Path tmp = dev.mlm4j.util.StagingFiles.newFolder(parent, "." + out.getFileName() + ".tmp-");
            try {
                Result r = h == null ? write(c, tmp) : TaskAssembly.write(c, h, tmp);
                readableByAll(tmp);
                replace(tmp, out);
                tmp = null;
                return new Result(out, r.architecture(), r.config(), r.tensors(), r.parameters(), r.files(), r.leftOut());
            } finally {
                if (tmp != null) dev.mlm4j.util.StagingFiles.deleteQuietly(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
    }

    private static void checkTarget(Path source, Path out, boolean force) {
        if (Files.exists(out, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(out, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException(out + " exists and is not a folder");
        }
        try {
            if (Files.isDirectory(out)) {
                if (source.toRealPath().startsWith(out.toRealPath())) {
                    throw new IllegalArgumentException("cannot convert " + source + " into " + out + ": the output folder holds the model itself");
                }
                boolean empty;
                try (Stream<Path> s = Files.list(out)) {
                    empty = s.findAny().isEmpty();
                }
                if (!empty && !force) throw new IllegalArgumentException(out + " is not empty; use --force to replace it");
                if (!empty && !Files.isRegularFile(out.resolve("config.json")) && !Files.isRegularFile(out.resolve(ModelCard.FILE_NAME))) {
                    throw new IllegalArgumentException(out + " is not empty and holds no model (no config.json): not replacing it, even with --force");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + out + ": " + e.getMessage(), e);
        }
    }

    private static Result write(Checkpoint c, Path dir) throws IOException {
        TensorSource src = c.tensors();
        if (!(c.config() instanceof BertConfig config)) return FamilyFolder.write(c, dir);
        if (c.has(Task.SEQUENCE_CLASSIFICATION)) {   // its config.json would lose the architecture and the labels
            throw new IllegalArgumentException("cannot convert " + c.folder() + ": it has a task head (classifier.* tensors) and mlm4j converts encoders and masked LMs only");
        }
        if (c.has(Task.QUESTION_ANSWERING)) {        // written as a BertModel, the head would be dropped without a word
            throw new IllegalArgumentException("cannot convert " + c.folder() + ": it has a task head (qa_outputs.* tensors) and mlm4j converts encoders and masked LMs only");
        }
        Optional<? extends Head<?>> mlmHead = c.family().head(Task.MASKED_LM).filter(h -> h.isIn(src));
        Head<?> head = mlmHead.isPresent() ? mlmHead.get() : c.family().head(Task.ENCODER).orElseThrow();
        Map<String, FloatTensor> tensors = new TreeMap<>();
        List<String> leftOut = new ArrayList<>();
        for (String name : src.names().stream().sorted().toList()) {
            DType t = src.info(name).dtype();
            if (t == DType.F32 || t == DType.F16 || t == DType.BF16) {
                tensors.put(name, src.load(name));
            } else {
                leftOut.add(name + " (" + t + ")");
            }
        }
        boolean tied = true;
        FloatTensor decoder = tensors.get("cls.predictions.decoder.weight");
        if (decoder != null) {
            if (sameValues(decoder, tensors.get("bert.embeddings.word_embeddings.weight"))) {
                tensors.remove("cls.predictions.decoder.weight");
                leftOut.add("cls.predictions.decoder.weight (tied to bert.embeddings.word_embeddings.weight)");
            } else {
                tied = false;
            }
        }
        FloatTensor decoderBias = tensors.get("cls.predictions.decoder.bias");
        if (decoderBias != null && sameValues(decoderBias, tensors.get("cls.predictions.bias"))) {
            tensors.remove("cls.predictions.decoder.bias");
            leftOut.add("cls.predictions.decoder.bias (tied to cls.predictions.bias)");
        }
        // an int8 ONNX file (the catalogue's -q models): its weights are written dequantised, and safetensors has no way to
        // say that each layer rounded its input at run time, so the folder computes in float32; say so, not in silence
        // (its vectors differ slightly from the -q model's: pooled cosine ~0.993 for all-MiniLM-L6-v2-q)
        if (src.names().stream().anyMatch(src::quantizesInput)) {
            leftOut.add("the int8 quantisation (weights written dequantised to float32; the run-time rounding of each layer's input"
                    + " is not kept, so the folder's outputs differ slightly from this int8 model's)");
        }
        long parameters = 0;
        for (FloatTensor t : tensors.values()) parameters += t.size();
        int count = tensors.size();
        SafetensorsWriter.writeFolder(dir, tensors, Map.of(), MAX_SHARD_BYTES);
        tensors.clear();

        String architecture = head.architecture();
        Tokenizer tokenizer = c.tokenizer();
        int workingLength = card(c).map(ModelCard::maxLength).orElse(c.maxLength());
        writeJson(dir.resolve("config.json"), hfConfig(config, architecture, tied, tokenizer.padId()));
        writeTokenizer(c.folder(), dir, tokenizer, workingLength);
        writeCard(c, dir);
        return new Result(dir, architecture, config, count, parameters, files(dir), List.copyOf(leftOut));
    }

    /**
     * The folder's card: the hub's, else what a sentence-transformers folder's own files say (a pipeline mlm4j does not
     * run, such as a Dense module, gives none: the converted folder is then a plain encoder, as before).
     */
    static java.util.Optional<ModelCard> card(Checkpoint c) {
        if (c.card().isPresent()) return c.card();
        try {
            return dev.mlm4j.hub.SentenceTransformersFolder.card(c.folder(), c.folder().getFileName().toString(), ModelCard.Format.SAFETENSORS,
                    c.config().maxPositionEmbeddings());
        } catch (IllegalArgumentException unsupported) {
            return java.util.Optional.empty();
        }
    }

    /** The card ({@link #card}), now saying safetensors, and for an embeddings model sentence-transformers' files; nothing without a card. */
    static void writeCard(Checkpoint c, Path dir) throws IOException {
        java.util.Optional<ModelCard> card = card(c);
        if (card.isEmpty()) return;
        ModelCard k = card.get();
        new ModelCard(k.name(), k.task(), ModelCard.Format.SAFETENSORS, k.source(), k.pooling(), k.normalize(), k.maxLength(),
                k.queryPrefix(), k.passagePrefix()).write(dir);
        if (k.task() == ModelCard.Task.EMBEDDINGS) writeSentenceTransformers(dir, k, c.config().hiddenSize());
    }

    /** The files under {@code dir}, relative, sorted. */
    static List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    /** transformers' BertConfig.to_json_string(): every field it has, keys sorted. */
    static Map<String, Object> hfConfig(BertConfig c, String architecture, boolean tied, int padTokenId) {
        Map<String, Object> m = new TreeMap<>();
        m.put("architectures", List.of(architecture));
        m.put("attention_probs_dropout_prob", 0.1);
        m.put("classifier_dropout", null);
        m.put("hidden_act", c.hiddenAct());
        m.put("hidden_dropout_prob", 0.1);
        m.put("hidden_size", c.hiddenSize());
        m.put("initializer_range", 0.02);
        m.put("intermediate_size", c.intermediateSize());
        if (c.isDecoder()) m.put("is_decoder", true);   // a causal model stays causal
        if (c.poolsLastToken()) m.put(BertConfig.POOLING_KEY, "last");
        m.put("layer_norm_eps", c.layerNormEps());
        m.put("max_position_embeddings", c.maxPositionEmbeddings());
        m.put("model_type", "bert");
        m.put("num_attention_heads", c.numAttentionHeads());
        m.put("num_hidden_layers", c.numHiddenLayers());
        m.put("pad_token_id", padTokenId);
        m.put("position_embedding_type", "absolute");
        m.put("tie_word_embeddings", tied);
        m.put("torch_dtype", "float32");
        m.put("type_vocab_size", c.typeVocabSize());
        m.put("use_cache", true);
        m.put("vocab_size", c.vocabSize());
        return m;
    }

    /** tokenizer.json as it is when there is one; else vocab.txt. tokenizer_config.json in both cases. */
    static void writeTokenizer(Path from, Path dir, Tokenizer tokenizer, int workingLength) throws IOException {
        Path json = from.resolve("tokenizer.json");
        if (Files.isRegularFile(json)) {
            Files.copy(json, dir.resolve("tokenizer.json"));
        } else {
            Path vocab = Stream.of(from.resolve("vocab.txt"), from.resolve("assets/vocab.txt")).filter(Files::isRegularFile).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(from + " has no tokenizer.json or vocab.txt to copy"));
            Files.copy(vocab, dir.resolve("vocab.txt"));
        }
        Map<String, Object> tc = new LinkedHashMap<>();
        tc.put("tokenizer_class", "BertTokenizer");
        tc.put("do_lower_case", tokenizer.lowerCase());
        Path sourceConfig = from.resolve("tokenizer_config.json");
        if (!Files.isRegularFile(json) && Files.isRegularFile(sourceConfig)) {  // the vocab.txt normalizer's other options
            JsonNode source = JSON.readTree(sourceConfig.toFile());
            for (String key : List.of("strip_accents", "tokenize_chinese_chars")) {
                if (source != null && source.path(key).isBoolean()) tc.put(key, source.get(key).asBoolean());
            }
        }
        tc.put("model_max_length", workingLength);
        // as mlm4j decodes (transformers 4's default, the model cards' "hello i'm a …"): transformers 5 defaults to false
        // and would print fill-mask sequences as "hello i ' m a …" from this folder
        tc.put("clean_up_tokenization_spaces", true);
        tc.put("cls_token", tokenizer.token(tokenizer.clsId()));
        tc.put("sep_token", tokenizer.token(tokenizer.sepId()));
        tc.put("pad_token", tokenizer.token(tokenizer.padId()));
        tc.put("mask_token", tokenizer.token(tokenizer.maskId()));
        tc.put("unk_token", tokenizer.token(tokenizer.unkId()));
        writeJson(dir.resolve("tokenizer_config.json"), tc);
    }

    /** sentence-transformers' module list: Transformer → Pooling (→ Normalize), as its own save() writes it. */
    private static void writeSentenceTransformers(Path dir, ModelCard card, int hidden) throws IOException {
        List<Map<String, Object>> modules = new ArrayList<>();
        modules.add(module(0, "", "sentence_transformers.models.Transformer"));
        modules.add(module(1, "1_Pooling", "sentence_transformers.models.Pooling"));
        if (Boolean.TRUE.equals(card.normalize())) {
            modules.add(module(2, "2_Normalize", "sentence_transformers.models.Normalize"));
            Files.createDirectories(dir.resolve("2_Normalize"));
        }
        writeJson(dir.resolve("modules.json"), modules);
        Map<String, Object> st = new LinkedHashMap<>();
        st.put("max_seq_length", card.maxLength());
        st.put("do_lower_case", false);
        writeJson(dir.resolve("sentence_bert_config.json"), st);
        Map<String, Object> pooling = new LinkedHashMap<>();
        pooling.put("word_embedding_dimension", hidden);
        pooling.put("pooling_mode_cls_token", card.pooling() == ModelCard.Pooling.CLS);
        pooling.put("pooling_mode_mean_tokens", card.pooling() == ModelCard.Pooling.MEAN);
        pooling.put("pooling_mode_max_tokens", false);
        pooling.put("pooling_mode_mean_sqrt_len_tokens", false);
        pooling.put("pooling_mode_weightedmean_tokens", false);
        pooling.put("pooling_mode_lasttoken", false);
        pooling.put("include_prompt", true);
        Files.createDirectories(dir.resolve("1_Pooling"));
        writeJson(dir.resolve("1_Pooling/config.json"), pooling);
    }

    private static Map<String, Object> module(int idx, String path, String type) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("idx", idx);
        m.put("name", "" + idx);
        m.put("path", path);
        m.put("type", type);
        return m;
    }

    static void writeJson(Path file, Object value) throws IOException {
        Files.write(file, (JSON.writeValueAsString(value) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static boolean sameValues(FloatTensor a, FloatTensor b) {
        return b != null && Arrays.equals(a.shape(), b.shape()) && Arrays.equals(a.toArray(), b.toArray());
    }

    /**
     * Puts the finished folder {@code tmp} at {@code out}: a rename when {@code out} does not exist; else the old
     * folder is renamed aside first and deleted once the new one is in place.
     */
    private static void replace(Path tmp, Path out) throws IOException {
        if (!Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
            move(tmp, out);
            return;
        }
        Path old = out.resolveSibling("." + out.getFileName() + ".old-" + Long.toHexString(System.nanoTime()));
        move(out, old);
        try {
            move(tmp, out);
        } catch (IOException e) {
            move(old, out); // put the old folder back
            throw e;
        }
        dev.mlm4j.util.StagingFiles.deleteQuietly(old);
    }

    /** Temporary files and folders are private (0600/0700); a model folder is for everyone to read, like one cp makes. */
    private static void readableByAll(Path dir) throws IOException {
        if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }
}
