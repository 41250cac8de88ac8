package dev.mlm4j.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.ClassificationConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.model.Checkpoint;
import dev.mlm4j.model.EncoderOutput;
import dev.mlm4j.model.ForwardOptions;
import dev.mlm4j.model.Task;
import dev.mlm4j.model.TokenClassifier;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tokens.Encoding;
import dev.mlm4j.tokens.Tokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Token classification (NER, POS tagging): Hugging Face's {@code token-classification} pipeline
 * ({@code transformers/pipelines/token_classification.py}) on a {@code *ForTokenClassification} model.
 * <pre>
 *   TokenClassification ner = Models.tokenClassification("path/to/bert-base-NER");
 *   for (var e : ner.classify("My name is Wolfgang and I live in Berlin.", Options.DEFAULT.withAggregation(Aggregation.SIMPLE)))
 *       System.out.println(e.entityGroup() + " " + e.word() + " " + e.start() + ".." + e.end());
 * </pre>
 * Per token: softmax of the logits; special tokens skipped. {@code none}/{@code simple}: argmax per token; for
 * {@code first}/{@code average}/{@code max} the tokens of a word (a token is a sub-word when its length differs from
 * its span in the text, so "##" pieces and nothing else) are first fused into one: the first token's label, the
 * label of the most confident token, or the argmax of the mean score vector. Grouping (every strategy but none):
 * adjacent entities of one tag join unless the next is a {@code B-}; the group's score is the mean, its word the
 * tokens joined as the WordPiece decoder does, its start/end the first and last member's. Entities whose label (or
 * group) is in {@code ignoreLabels} (default {@code ["O"]}) are dropped. A {@code [UNK]} token's word is the text it
 * covers. Start/end are character offsets into the text as given: UTF-16 indices (as {@link String#substring}) in
 * {@link Entity}, Python's code-point indices in {@link Entity#toMap}'s JSON.
 * <p>Texts longer than the model's limit are truncated, as transformers does, unless a {@code stride} is given (0
 * included, as transformers' {@code stride=0}): then the whole text is cut into windows overlapping by {@code stride}
 * tokens (0: side by side), each window is classified and
 * aggregated on its own, and of overlapping entities the longer (on a tie the higher-scoring) is kept.
 * <p>Immutable and thread-safe.
 */
public final class TokenClassification {

    /** Hugging Face's {@code aggregation_strategy}. */
    public enum Aggregation {
        NONE, SIMPLE, FIRST, AVERAGE, MAX;

        /** From Hugging Face's name ({@code none}, {@code simple}, …), case-insensitive. */
        public static Aggregation of(String name) {
            for (Aggregation a : values()) if (a.name().equalsIgnoreCase(name.strip())) return a;
            throw new IllegalArgumentException("unknown aggregation strategy '" + name + "': expected none, simple, first, average or max");
        }

        public String hfName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param aggregation  how tokens become entities (Hugging Face's default: none)
     * @param ignoreLabels labels (and entity groups) left out of the answer; Hugging Face's default {@code ["O"]}
     * @param stride       null: truncate long texts, as Hugging Face's default; else classify the whole text in windows
     *                     overlapping by this many tokens (0: windows side by side), as Hugging Face's {@code stride}
     */
    public record Options(Aggregation aggregation, List<String> ignoreLabels, Integer stride) {
        public static final Options DEFAULT = new Options(Aggregation.NONE, List.of("O"), null);

        public Options {
            if (aggregation == null) aggregation = Aggregation.NONE;
            if (ignoreLabels != null && ignoreLabels.stream().anyMatch(java.util.Objects::isNull)) throw new IllegalArgumentException("an ignored label is null");   // List.copyOf: a bare NPE
            ignoreLabels = ignoreLabels == null ? List.of("O") : List.copyOf(ignoreLabels);
            if (stride != null && stride < 0) throw new IllegalArgumentException("stride must not be negative, got " + stride);
            // transformers refuses any stride (0 too) with aggregation none
            if (stride != null && aggregation == Aggregation.NONE) {
                throw new IllegalArgumentException("stride needs an aggregation strategy other than none (simple, first, average or max),"
                        + " as in Hugging Face's pipeline");
            }
        }

        public Options withAggregation(Aggregation a) {
            return new Options(a, ignoreLabels, stride);
        }

        public Options withIgnoreLabels(List<String> labels) {
            return new Options(aggregation, labels, stride);
        }

        /** {@code s}: windows overlapping by s tokens (0: side by side); null: truncate. */
        public Options withStride(Integer s) {
            return new Options(aggregation, ignoreLabels, s);
        }
    }

    /**
     * One entity as Hugging Face returns it: {@code entity} and {@code index} (the token's position, [CLS] = 0) with
     * aggregation none, else {@code entityGroup} (and {@code index} = −1).
     */
    public record Entity(String entity, String entityGroup, double score, int index, String word, int start, int end) {
        /** The label: {@code entity} or {@code entityGroup}. */
        public String label() {
            return entity != null ? entity : entityGroup;
        }

        /**
         * Hugging Face's JSON object for an entity of {@code text}, keys in its order; {@code start}/{@code end} are
         * Python's string indices (code points), which differ from {@link #start()}/{@link #end()} (UTF-16) after a
         * character outside the BMP (an emoji).
         */
        public Map<String, Object> toMap(String text) {
            Map<String, Object> m = new LinkedHashMap<>();
            if (entity != null) m.put("entity", entity);
            else m.put("entity_group", entityGroup);
            m.put("score", score);
            if (entity != null) m.put("index", index);
            m.put("word", word);
            m.put("start", text.codePointCount(0, start));
            m.put("end", text.codePointCount(0, end));
            return m;
        }
    }

    private final TokenClassifier model;
    private final Tokenizer tokenizer;
    private final List<String> labels; // by id (id2label)
    private final int maxLength;
    private final boolean wordAware;   // the tokenizer's model marks continuing pieces ("##"): Hugging Face's word test

    TokenClassification(TokenClassifier model, Tokenizer tokenizer, List<String> labels, int maxLength) {
        this(model, tokenizer, labels, maxLength, true);
    }

    /**
     * @param wordAware whether the tokenizer's model has a {@code continuing_subword_prefix} (WordPiece's "##"): then a
     *                  token is a word's continuation when its text is not the span it covers, else (byte-level BPE,
     *                  Unigram) when no space precedes it, Hugging Face's fallback heuristic
     */
    TokenClassification(TokenClassifier model, Tokenizer tokenizer, List<String> labels, int maxLength, boolean wordAware) {
        if (labels.size() != model.numLabels()) throw new IllegalArgumentException(labels.size() + " labels for a classifier of " + model.numLabels());
        this.model = model;
        this.tokenizer = tokenizer;
        this.labels = labels;
        this.maxLength = Math.min(maxLength, model.encoder().config().maxPositionEmbeddings());
        this.wordAware = wordAware;
    }

    /**
     * Loads a token classifier from a model folder: its {@code classifier.*} head and {@code id2label}. A folder
     * whose {@code architectures} names another head, or without the classifier, is an error.
     */
    static TokenClassification load(Path folder, String name, Precision precision) {
        try (Checkpoint c = Checkpoint.open(folder)) {
            Path file = c.folder().resolve("config.json");
            JsonNode config = TaskHead.config(file, name, TaskHead.TOKEN_CLASSIFICATION);
            TokenClassifier m = TaskHead.load(c, Task.TOKEN_CLASSIFICATION, precision, name, TaskHead.TOKEN_CLASSIFICATION);
            return new TokenClassification(m, c.tokenizer(), labels(config, m.numLabels(), file.toString()), window(c),
                    wordAware(c.folder().resolve("tokenizer.json")));
        }
    }

    /** The window {@link #load} passes: tokenizer_config.json's model_max_length (else the tokenizer's), at most the checkpoint's maximum. */
    private static int window(Checkpoint c) {
        return Math.min(TaskHead.modelMaxLength(c), c.maxLength());
    }

    /**
     * The {@link #maxLength} that {@link #load} gives the model in {@code folder}, read from its files (the weights
     * are not loaded): front ends that check settings before loading (Spark's driver) use it with {@link #checkStride}.
     */
    public static int maxLength(Path folder) {
        try (Checkpoint c = Checkpoint.open(folder)) {
            return Math.min(window(c), c.config().maxPositionEmbeddings());   // as the constructor caps it
        }
    }

    /** Refuses a stride that leaves a window of {@code maxLength} tokens no room to move on (what {@link #classify} would refuse). */
    public static void checkStride(int stride, int maxLength) {
        int width = maxLength - 2;
        if (stride >= width) {
            throw new IllegalArgumentException("stride " + stride + " must be less than the window's " + width
                    + " tokens (the model's " + maxLength + " less [CLS] and [SEP])");
        }
    }

    /**
     * Whether the folder's tokenizer marks continuing pieces: tokenizer.json's {@code model.continuing_subword_prefix}
     * is set (WordPiece's "##"; byte-level BPE and Unigram have none), as Hugging Face's pipeline asks; a vocab.txt
     * (no tokenizer.json) is WordPiece.
     */
    private static boolean wordAware(Path tokenizerJson) {
        if (!java.nio.file.Files.isRegularFile(tokenizerJson)) return true;
        try {
            JsonNode prefix = new com.fasterxml.jackson.databind.ObjectMapper().readTree(tokenizerJson.toFile()).path("model").path("continuing_subword_prefix");
            return prefix.isTextual() && !prefix.asText().isEmpty();
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("unreadable " + tokenizerJson + ": " + e.getMessage(), e);
        }
    }

    /**
     * The labels by id: config.json's label maps read as for every classifier ({@link ClassificationConfig#fromJson}),
     * {@code LABEL_0 … LABEL_{n−1}} for the classifier's {@code numLabels} rows when it has no {@code id2label}.
     */
    private static List<String> labels(JsonNode config, int numLabels, String where) {
        boolean named = config != null && config.hasNonNull("id2label");
        int declared = named ? config.get("id2label").size() : config != null && config.hasNonNull("num_labels") ? -1 : numLabels;
        if (declared >= 0 && declared != numLabels) {   // the classifier's size first: the most telling disagreement
            throw new IllegalArgumentException(where + ": \"id2label\" has " + declared + " labels but the classifier (classifier.weight) scores " + numLabels);
        }
        ClassificationConfig labels = declared == numLabels && !named ? ClassificationConfig.defaults(numLabels) : ClassificationConfig.fromJson(config, where);
        if (labels.numLabels() != numLabels) {
            throw new IllegalArgumentException(where + ": \"num_labels\" is " + labels.numLabels() + " but the classifier (classifier.weight) scores " + numLabels);
        }
        return labels.labels();
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** The labels by id ({@code id2label}). */
    public List<String> labels() {
        return labels;
    }

    /** The longest window in tokens, [CLS] and [SEP] included. */
    public int maxLength() {
        return maxLength;
    }

    /** The entities of each text, in order. */
    public List<List<Entity>> classify(List<String> texts, Options options) {
        List<List<Entity>> out = new ArrayList<>(texts.size());
        for (String t : texts) out.add(classify(t, options));
        return out;
    }

    /** The entities of one text, Hugging Face's answer for it. */
    public List<Entity> classify(String text, Options options) {
        if (text == null) throw new IllegalArgumentException("no text to classify");
        List<Encoding> windows = windows(text, options.stride());
        int[][] ids = new int[windows.size()][];
        int[][] types = new int[windows.size()][];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = windows.get(i).ids();
            types[i] = windows.get(i).typeIds();
        }
        Batch batch = Batch.of(ids, types);
        EncoderOutput out = model.encoder().forward(batch, ForwardOptions.DEFAULT);
        FloatTensor logits = model.logits(out);
        List<Entity> all = new ArrayList<>();
        for (int s = 0; s < windows.size(); s++) {
            List<Pre> pre = gather(text, windows.get(s), logits, batch.offset(s));
            for (Entity e : aggregate(pre, options.aggregation())) {
                if (!options.ignoreLabels().contains(e.label())) all.add(e);
            }
        }
        return windows.size() > 1 ? overlapping(all) : all;
    }

    /** One window ([CLS] … [SEP]) without stride (truncated), else tokenizers' overflowing windows. */
    private List<Encoding> windows(String text, Integer stride) {
        if (stride == null) return List.of(tokenizer.encode(text, maxLength, true));
        checkStride(stride, maxLength);
        int width = maxLength - 2;
        Encoding full = tokenizer.encode(text, Integer.MAX_VALUE, false);
        int n = full.length() - 2; // content tokens between [CLS] and [SEP]
        List<Encoding> windows = new ArrayList<>();
        // tokenizers 0.22 Encoding::truncate: parts [start, min(start + width, n)) for start = 0, width − stride, …
        // until a part reaches the end
        for (int start = 0; ; start += width - stride) {
            int stop = Math.min(start + width, n);
            windows.add(window(full, start, stop));
            if (stop >= n) break;
        }
        return windows;
    }

    private Encoding window(Encoding full, int from, int to) {
        int len = to - from + 2;
        int[] ids = new int[len], types = new int[len], start = new int[len], end = new int[len], seq = new int[len];
        String[] tokens = new String[len];
        boolean[] special = new boolean[len];
        ids[0] = full.ids()[0];
        tokens[0] = full.tokens()[0];
        ids[len - 1] = full.ids()[full.length() - 1];
        tokens[len - 1] = full.tokens()[full.length() - 1];
        for (int i : new int[]{0, len - 1}) {
            start[i] = -1;
            end[i] = -1;
            special[i] = true;
            seq[i] = -1;
        }
        for (int i = from; i < to; i++) {
            int j = i - from + 1, k = i + 1;
            ids[j] = full.ids()[k];
            types[j] = full.typeIds()[k];
            tokens[j] = full.tokens()[k];
            start[j] = full.start()[k];
            end[j] = full.end()[k];
            special[j] = full.special()[k];
            seq[j] = full.sequenceIds()[k];
        }
        return new Encoding(ids, types, tokens, start, end, special, seq, true);
    }

    /** A token before aggregation: Hugging Face's pre-entity. */
    private record Pre(String word, float[] scores, int start, int end, int index, boolean subword) {}

    private List<Pre> gather(String text, Encoding enc, FloatTensor logits, int row0) {
        int n = labels.size();
        List<Pre> pre = new ArrayList<>();
        for (int i = 0; i < enc.length(); i++) {
            if (enc.special()[i]) continue;
            float[] scores = new float[n];
            int o = logits.rowOffset(row0 + i);
            float max = Float.NEGATIVE_INFINITY;
            for (int l = 0; l < n; l++) max = Math.max(max, logits.data()[o + l]);
            float sum = 0;
            for (int l = 0; l < n; l++) {
                scores[l] = (float) Math.exp(logits.data()[o + l] - max);
                sum += scores[l];
            }
            for (int l = 0; l < n; l++) scores[l] /= sum;
            int s = enc.start()[i], e = enc.end()[i];
            String word = tokenizer.token(enc.ids()[i]);  // convert_ids_to_tokens: "<mask>", not the " <mask>" lstrip matched
            String ref = text.substring(s, e);
            boolean subword = wordAware ? word.codePointCount(0, word.length()) != ref.codePointCount(0, ref.length())
                    : s > 0 && text.substring(s - 1, Math.min(s + 1, text.length())).indexOf(' ') < 0;
            if (enc.ids()[i] == tokenizer.unkId()) {
                word = ref;
                subword = false;
            }
            pre.add(new Pre(word, scores, s, e, i, subword));
        }
        return pre;
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    private List<Entity> aggregate(List<Pre> pre, Aggregation a) {
        List<Entity> entities = new ArrayList<>();
        if (a == Aggregation.NONE || a == Aggregation.SIMPLE) {
            for (Pre p : pre) {
                int k = argmax(p.scores());
                entities.add(new Entity(labels.get(k), null, p.scores()[k], p.index(), p.word(), p.start(), p.end()));
            }
        } else {
            List<Pre> group = new ArrayList<>();
            for (Pre p : pre) {
                if (!group.isEmpty() && !p.subword()) {
                    entities.add(word(group, a));
                    group = new ArrayList<>();
                }
                group.add(p);
            }
            if (!group.isEmpty()) entities.add(word(group, a));
        }
        return a == Aggregation.NONE ? entities : group(entities);
    }

    /** aggregate_word: the tokens of one word → one entity. */
    private Entity word(List<Pre> tokens, Aggregation a) {
        String word = tokensToString(tokens.stream().map(Pre::word).toList());
        float[] scores;
        if (a == Aggregation.FIRST) {
            scores = tokens.get(0).scores();
        } else if (a == Aggregation.MAX) {
            Pre best = tokens.get(0);
            float bestMax = max(best.scores());
            for (Pre p : tokens) {
                float m = max(p.scores());
                if (m > bestMax) {
                    best = p;
                    bestMax = m;
                }
            }
            scores = best.scores();
        } else {
            scores = new float[labels.size()];
            for (int l = 0; l < scores.length; l++) {
                double sum = 0;
                for (Pre p : tokens) sum += p.scores()[l];
                scores[l] = (float) (sum / tokens.size());
            }
        }
        int k = argmax(scores);
        return new Entity(labels.get(k), null, scores[k], -1, word, tokens.get(0).start(), tokens.get(tokens.size() - 1).end());
    }

    private static float max(float[] v) {
        float m = v[0];
        for (float x : v) m = Math.max(m, x);
        return m;
    }

    /** group_entities: adjacent entities of one tag join unless the next is a B-. */
    private List<Entity> group(List<Entity> entities) {
        List<Entity> groups = new ArrayList<>();
        List<Entity> current = new ArrayList<>();
        for (Entity e : entities) {
            if (!current.isEmpty()) {
                String[] tag = tag(e.entity()), last = tag(current.get(current.size() - 1).entity());
                if (!(tag[1].equals(last[1]) && !tag[0].equals("B"))) {
                    groups.add(subGroup(current));
                    current = new ArrayList<>();
                }
            }
            current.add(e);
        }
        if (!current.isEmpty()) groups.add(subGroup(current));
        return groups;
    }

    private static String[] tag(String label) {
        if (label.startsWith("B-")) return new String[]{"B", label.substring(2)};
        if (label.startsWith("I-")) return new String[]{"I", label.substring(2)};
        return new String[]{"I", label};
    }

    private Entity subGroup(List<Entity> members) {
        String first = members.get(0).entity();
        int dash = first.indexOf('-');
        String group = dash < 0 ? first : first.substring(dash + 1);
        double sum = 0;
        for (Entity e : members) sum += e.score();
        return new Entity(null, group, sum / members.size(), -1, tokensToString(members.stream().map(Entity::word).toList()),
                members.get(0).start(), members.get(members.size() - 1).end());
    }

    /**
     * Hugging Face's {@code convert_tokens_to_string}: the tokenizer's decoder over the tokens — WordPiece's below;
     * Unigram's (Metaspace) over the whole list at once, as Hugging Face ("▁M" → "M" for the first token only, so a
     * word after an unknown piece keeps its space); byte-level BPE's through {@link Tokenizer#decode} of the tokens'
     * ids ("Ġn" → " n"), where a token that is no vocabulary entry (an unknown token's text, a word already decoded) is
     * kept as it is — Hugging Face decodes such text a second time as if it spelled bytes ("Zürich" → "Z�rich").
     */
    private String tokensToString(List<String> tokens) {
        if (wordAware) return joinTokens(tokens);
        if (tokenizer instanceof dev.mlm4j.tokens.PipelineTokenizer p && !p.decodesBytes()) return p.decodeTokens(tokens);
        StringBuilder sb = new StringBuilder();
        List<Integer> run = new ArrayList<>();
        for (String t : tokens) {
            int id = tokenizer.id(t);
            if (id >= 0 && id != tokenizer.unkId() && tokenizer.token(id).equals(t)) {
                run.add(id);
            } else {
                sb.append(tokenizer.decode(run.stream().mapToInt(Integer::intValue).toArray(), false)).append(t);
                run.clear();
            }
        }
        return sb.append(tokenizer.decode(run.stream().mapToInt(Integer::intValue).toArray(), false)).toString();
    }

    private static final String[][] CLEANUP = {{" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"},
            {" n't", "n't"}, {" 'm", "'m"}, {" do not", " don't"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};

    /**
     * Hugging Face's {@code convert_tokens_to_string} for WordPiece: tokenizers' WordPiece decoder with cleanup — each
     * token after the first loses its "##" or gets a leading space, then each is cleaned up on its own.
     */
    static String joinTokens(List<String> tokens) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            if (i > 0) t = t.startsWith("##") ? t.substring(2) : " " + t;
            for (String[] c : CLEANUP) t = t.replace(c[0], c[1]);
            sb.append(t);
        }
        return sb.toString();
    }

    /** aggregate_overlapping_entities: by start; of overlapping entities the longer, on equal length the higher score. */
    private static List<Entity> overlapping(List<Entity> entities) {
        if (entities.isEmpty()) return entities;
        List<Entity> sorted = new ArrayList<>(entities);
        sorted.sort(Comparator.comparingInt(Entity::start)); // stable, as Python's sorted
        List<Entity> out = new ArrayList<>();
        Entity prev = sorted.get(0);
        for (Entity e : sorted) {
            if (prev.start() <= e.start() && e.start() < prev.end()) {
                int cur = e.end() - e.start(), before = prev.end() - prev.start();
                if (cur > before || cur == before && e.score() > prev.score()) prev = e;
            } else {
                out.add(prev);
                prev = e;
            }
        }
        out.add(prev);
        return out;
    }
}
