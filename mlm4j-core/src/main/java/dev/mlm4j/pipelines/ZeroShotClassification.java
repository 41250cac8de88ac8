package dev.mlm4j.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.tokens.Encoding;
import dev.mlm4j.tokens.Tokenizer;
import dev.mlm4j.tokens.TokenizerFiles;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Zero-shot classification over an NLI model, with Hugging Face's {@code zero-shot-classification} pipeline semantics
 * (transformers 5 {@code pipelines/zero_shot_classification.py}). It runs on the model's {@link TextClassification}
 * (its forward pass and labels); each candidate label becomes a hypothesis:
 * <ul>
 *   <li>one (text, {@code hypothesis_template.format(label)}) pair per label, truncated "only first" (the text, never
 *       the hypothesis) to the tokenizer's {@code model_max_length}; default template {@code "This example is {}."}, a
 *       template that the label does not change is an error, as in HF;</li>
 *   <li>the entailment logit is the one of the first label in {@code label2id} whose name starts with "entail"
 *       (case-insensitive); a model with none is refused (HF only warns and then reads the last logit);</li>
 *   <li>single-label: softmax of the entailment logits across the candidate labels; {@code multi_label} (or a single
 *       candidate): per label a softmax over [contradiction, entailment], contradiction id 0 unless entailment is 0
 *       (then the last);</li>
 *   <li>the reply: {@code {"sequence", "labels", "scores"}}, labels sorted by score descending (equal scores: the later
 *       label first, as numpy's {@code reversed(argsort())}).</li>
 * </ul>
 * Candidate labels are a list or, as HF's {@code _parse_labels}, one comma-separated string ({@link #parseLabels}).
 * <pre>
 *   ZeroShotClassification zs = Models.zeroShotClassification("path/to/nli-model");
 *   var r = zs.classify("The team won the final.", List.of("sports", "politics"), ZeroShotClassification.Options.DEFAULT);
 * </pre>
 * Immutable and thread-safe.
 */
public final class ZeroShotClassification {

    /** HF's default {@code hypothesis_template}. */
    public static final String DEFAULT_TEMPLATE = "This example is {}.";

    /**
     * @param hypothesisTemplate Python format string with one {@code {}} where the label goes
     * @param multiLabel         labels scored independently (entailment vs contradiction) instead of competing
     */
    public record Options(String hypothesisTemplate, boolean multiLabel) {
        public static final Options DEFAULT = new Options(DEFAULT_TEMPLATE, false);

        public Options {
            if (hypothesisTemplate == null) hypothesisTemplate = DEFAULT_TEMPLATE;
        }

        public Options withTemplate(String template) {
            return new Options(template, multiLabel);
        }

        public Options withMultiLabel(boolean multi) {
            return new Options(hypothesisTemplate, multi);
        }
    }

    /** The reply for one text: its labels sorted by score descending, and their scores (float32, widened). */
    public record Result(String sequence, List<String> labels, List<Double> scores) {
        public Result {
            labels = List.copyOf(labels);
            scores = List.copyOf(scores);
        }

        /** HF's reply: {@code {"sequence", "labels", "scores"}}. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("sequence", sequence);
            m.put("labels", labels);
            m.put("scores", scores);
            return m;
        }

        public JsonNode toJson() {
            return JSON.valueToTree(toMap());
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TextClassification classifier;
    private final int maxLength;
    private final int entailmentId;
    private final int contradictionId;

    /**
     * @param classifier an NLI sequence classifier (a label starting with "entail")
     * @param maxLength  the length pairs are truncated to; capped by the position table
     */
    public ZeroShotClassification(TextClassification classifier, int maxLength) {
        List<String> labels = classifier.labels();
        int entail = -1;
        for (int i = 0; i < labels.size() && entail < 0; i++) {
            if (labels.get(i).toLowerCase(Locale.ROOT).startsWith("entail")) entail = i;
        }
        if (entail < 0) {
            throw new IllegalArgumentException("the model's labels " + labels + " have no entailment label (config.json's label2id needs one"
                    + " starting with \"entail\"): zero-shot classification needs an NLI model");
        }
        if (labels.size() < 2) {
            throw new IllegalArgumentException("an NLI model needs entailment and contradiction logits, but this one has only " + labels);
        }
        if (maxLength < 3) throw new IllegalArgumentException("maximum length " + maxLength + " cannot hold a pair");
        this.classifier = classifier;
        this.maxLength = Math.min(maxLength, classifier.maxTokens());
        this.entailmentId = entail;
        this.contradictionId = entail == 0 ? labels.size() - 1 : 0;
    }

    /** The pipeline of a loaded classifier from {@code folder}: truncation to its tokenizer_config.json model_max_length, else the position table. */
    static ZeroShotClassification of(TextClassification classifier, Path folder, String name) {
        Path dir = Files.isDirectory(folder) ? folder : folder.getParent();
        try {
            return new ZeroShotClassification(classifier, TokenizerFiles.modelMaxLength(dir).orElse(classifier.maxTokens()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("model '" + name + "': " + e.getMessage(), e);
        }
    }

    /** HF's {@code _parse_labels}: a string is split at commas, each label stripped, empty ones dropped. */
    public static List<String> parseLabels(String commaSeparated) {
        if (commaSeparated == null) throw new IllegalArgumentException("candidate_labels is null");
        List<String> out = new ArrayList<>();
        for (String l : commaSeparated.split(",", -1)) {
            if (!l.strip().isEmpty()) out.add(l.strip());
        }
        return out;
    }

    /** The id of the entailment logit. */
    public int entailmentId() {
        return entailmentId;
    }

    /** The length pairs are truncated to, in tokens. */
    public int maxLength() {
        return maxLength;
    }

    /** The candidate labels of one text, scored and sorted. */
    public Result classify(String text, List<String> candidateLabels, Options options) {
        return classify(java.util.Collections.singletonList(text), candidateLabels, options).getFirst();   // List.of(null) would throw a bare NPE
    }

    /** Each text against the same candidate labels, in order; everything is checked before the model runs. */
    public List<Result> classify(List<String> texts, List<String> candidateLabels, Options options) {
        List<String> hypotheses = hypotheses(candidateLabels, options.hypothesisTemplate());
        List<Encoding> pairs = new ArrayList<>(texts.size() * hypotheses.size());
        for (int t = 0; t < texts.size(); t++) {
            String text = texts.get(t);
            if (text == null || text.isEmpty()) {
                throw new IllegalArgumentException((texts.size() == 1 ? "the text" : "text " + (t + 1)) + " is empty: give a sequence to classify");
            }
            for (String h : hypotheses) pairs.add(encode(text, h));
        }
        List<float[]> logits = classifier.run(pairs);
        List<Result> out = new ArrayList<>(texts.size());
        int n = hypotheses.size();
        for (int t = 0; t < texts.size(); t++) {
            out.add(postprocess(texts.get(t), candidateLabels, logits.subList(t * n, (t + 1) * n), options.multiLabel()));
        }
        return out;
    }

    /**
     * The hypothesis each candidate label becomes, in order: HF's argument handler, which refuses an empty label list and
     * a template the label does not change. Nothing is run: a front end can check its arguments with it first.
     */
    public static List<String> hypotheses(List<String> candidateLabels, Options options) {
        return hypotheses(candidateLabels, options.hypothesisTemplate());
    }

    static List<String> hypotheses(List<String> labels, String template) {
        if (labels == null || labels.isEmpty()) {
            throw new IllegalArgumentException("candidate_labels is empty: give at least one label");
        }
        for (int i = 0; i < labels.size(); i++) if (labels.get(i) == null) throw new IllegalArgumentException("candidate label " + (i + 1) + " is null");
        if (format(template, labels.getFirst()).equals(template)) {
            throw new IllegalArgumentException("the hypothesis_template \"" + template + "\" was not able to be formatted with the target labels:"
                    + " it needs {} where the label goes");
        }
        List<String> out = new ArrayList<>(labels.size());
        for (String l : labels) out.add(format(template, l));
        return out;
    }

    /**
     * Python's {@code template.format(label)} for what a hypothesis template can hold: {@code {}} or {@code {0}} is the
     * label, {@code {{ }}} are braces; any other field, or an unmatched brace, is an error (Python raises one too).
     */
    static String format(String template, String label) {
        if (template == null) throw new IllegalArgumentException("hypothesis_template is null");
        StringBuilder sb = new StringBuilder();
        int automatic = 0, manual = 0;   // {} fields, {0} fields: Python allows one {} (one argument), any {0}, not both kinds
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c == '{' && i + 1 < template.length() && template.charAt(i + 1) == '{') {
                sb.append('{');
                i++;
            } else if (c == '}' && i + 1 < template.length() && template.charAt(i + 1) == '}') {
                sb.append('}');
                i++;
            } else if (c == '{') {
                int close = template.indexOf('}', i);
                String field = close < 0 ? null : template.substring(i + 1, close);
                if (field == null || !(field.isEmpty() || field.equals("0"))) {
                    throw new IllegalArgumentException("the hypothesis_template \"" + template + "\" has "
                            + (field == null ? "a '{' without '}'" : "the field {" + field + "}") + ": use {} where the label goes (and {{ }} for braces)");
                }
                if (field.isEmpty()) automatic++;
                else manual++;
                if (automatic > 1 || (automatic > 0 && manual > 0)) {
                    throw new IllegalArgumentException("the hypothesis_template \"" + template + "\" has " + (manual > 0 ? "both {} and {0}" : "more than one {}")
                            + ": Python's format fills one {} (or any number of {0}) with the label");
                }
                sb.append(label);
                i = close;
            } else if (c == '}') {
                throw new IllegalArgumentException("the hypothesis_template \"" + template + "\" has a single '}': write }} for a brace");
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /**
     * (text, hypothesis) truncated "only first", as HF asks its tokenizer. Longest-first truncation cuts only the text
     * whenever the hypothesis is at most half the room, which is then the same thing; a longer hypothesis that would
     * need the text cut is refused rather than truncated another way.
     */
    private Encoding encode(String text, String hypothesis) {
        Tokenizer tok = classifier.tokenizer();
        Encoding e = tok.encodePair(text, hypothesis, Integer.MAX_VALUE, false);
        if (e.length() <= maxLength) return e;
        int specials = tok.encodePair("", "", Integer.MAX_VALUE, false).length();
        int hypothesisTokens = tok.encode(hypothesis, Integer.MAX_VALUE, false).length() - tok.encode("", Integer.MAX_VALUE, false).length();
        if (hypothesisTokens > (maxLength - specials) / 2) {
            throw new IllegalArgumentException("the hypothesis \"" + hypothesis + "\" is " + hypothesisTokens + " tokens, too long to truncate the text"
                    + " to the model's maximum of " + maxLength + " tokens beside it");
        }
        return tok.encodePair(text, hypothesis, maxLength, true);
    }

    private Result postprocess(String text, List<String> labels, List<float[]> logits, boolean multiLabel) {
        int n = labels.size();
        float[] scores = new float[n];
        if (multiLabel || n == 1) {
            for (int i = 0; i < n; i++) {
                float[] pair = {logits.get(i)[contradictionId], logits.get(i)[entailmentId]};
                scores[i] = TextClassification.apply(TextClassification.Function.SOFTMAX, pair)[1];
            }
        } else {
            for (int i = 0; i < n; i++) scores[i] = logits.get(i)[entailmentId];
            System.arraycopy(TextClassification.apply(TextClassification.Function.SOFTMAX, scores), 0, scores, 0, n);
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        // numpy's argsort (stable for these sizes) ascending, reversed: descending, equal scores later label first
        Arrays.sort(order, (a, b) -> scores[a] != scores[b] ? Float.compare(scores[b], scores[a]) : Integer.compare(b, a));
        List<String> sortedLabels = new ArrayList<>(n);
        List<Double> sortedScores = new ArrayList<>(n);
        for (int i : order) {
            sortedLabels.add(labels.get(i));
            sortedScores.add((double) scores[i]);
        }
        return new Result(text, sortedLabels, sortedScores);
    }
}
