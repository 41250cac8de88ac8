package dev.mlm4j.pipelines;

import dev.mlm4j.config.Batch;
import dev.mlm4j.model.MaskedLanguageModel;
import dev.mlm4j.model.EncoderOutput;
import dev.mlm4j.model.ForwardOptions;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tokens.Encoding;
import dev.mlm4j.tokens.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fill-mask: predict the token hidden behind each {@code [MASK]} from the words on both sides of it.
 * Output follows Hugging Face's fill-mask pipeline ({@code score}, {@code token}, {@code token_str},
 * {@code sequence}); several masks in one text are each scored independently, as Hugging Face does. As in its
 * {@code FillMaskPipeline.postprocess}, a prediction's {@code sequence} is the input with only that mask filled:
 * special tokens are dropped when the text has one mask, and kept when it has several, so that the other
 * {@code [MASK]}s stay visible ({@code "[CLS] the man sat on the [MASK]. [SEP]"}).
 */
public final class FillMask {

    /** One candidate for one mask. */
    public record Prediction(double score, int token, String tokenStr, String sequence) {}

    /** The predictions for one [MASK]: {@code position} is its token index in the encoding. */
    public record MaskResult(int position, List<Prediction> predictions) {}

    /**
     * @param topK     candidates per mask (HF default 5)
     * @param targets  if non-empty, score only these words: each is a vocabulary token, else its first word piece
     *                 is used, as Hugging Face does ({@link #targetWarnings} says which were replaced)
     * @param causal   run every layer with the causal mask instead of bidirectional attention
     * @param truncate cut texts longer than the model's maximum instead of failing
     */
    public record Options(int topK, List<String> targets, boolean causal, boolean truncate) {
        public static final Options DEFAULT = new Options(5, List.of(), false, false);

        public Options {
            if (topK < 1) throw new IllegalArgumentException("top-k must be at least 1, got " + topK);
            if (targets != null && targets.stream().anyMatch(java.util.Objects::isNull)) throw new IllegalArgumentException("empty target word");   // List.copyOf: a bare NPE
            targets = targets == null ? List.of() : List.copyOf(targets);
        }
    }

    private final MaskedLanguageModel model;
    private final Tokenizer tokenizer;
    private final int maxLength;

    public FillMask(MaskedLanguageModel model, Tokenizer tokenizer, int maxLength) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
        if (tokenizer.vocabSize() > model.vocabSize()) {    // fewer is a padded table (deberta-v3-base: 128,100 rows, 128,001 tokens)
            throw new IllegalArgumentException("the tokenizer's vocabulary (" + tokenizer.vocabSize()
                    + ") is larger than the model's (" + model.vocabSize() + ")");
        }
    }

    /** The text that marks a mask for this model's tokenizer: {@code [MASK]} for BERT's WordPiece, {@code <mask>} for RoBERTa's. */
    public String maskToken() {
        return tokenizer.token(tokenizer.maskId());
    }

    /** The masked LM this pipeline runs (shared with the model's other pipelines when loaded by {@link Models}). */
    public MaskedLanguageModel model() {
        return model;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public int maxLength() {
        return maxLength;
    }

    /** One text; one result per [MASK] in it. */
    public List<MaskResult> fill(String text, Options options) {
        return fill(java.util.Collections.singletonList(text), options).get(0);   // List.of(null) would throw a bare NPE
    }

    /** Many texts, run as one padding-free batch; result i belongs to text i. */
    public List<List<MaskResult>> fill(List<String> texts, Options options) {
        if (texts.isEmpty()) throw new IllegalArgumentException("no text given");
        List<Encoding> encodings = new ArrayList<>();
        for (int t = 0; t < texts.size(); t++) encodings.add(encode(texts.get(t), texts.size() > 1 ? t : -1, options));
        int[] targetIds = resolveTargets(options.targets()).ids();
        Batch batch = Batch.of(encodings);
        EncoderOutput out = model.encoder().forward(batch, ForwardOptions.causal(options.causal()));

        List<int[]> positions = new ArrayList<>();
        int rows = 0;
        for (Encoding e : encodings) {
            positions.add(maskPositions(e));
            rows += positions.getLast().length;
        }
        int[] packedRows = new int[rows];
        int r = 0;
        for (int s = 0; s < encodings.size(); s++) for (int p : positions.get(s)) packedRows[r++] = batch.offset(s) + p;
        FloatTensor logits = model.logits(out, packedRows);     // (masks, vocab)

        List<List<MaskResult>> results = new ArrayList<>();
        r = 0;
        for (int s = 0; s < encodings.size(); s++) {
            List<MaskResult> perText = new ArrayList<>();
            for (int p : positions.get(s)) {
                boolean singleMask = positions.get(s).length == 1;
                perText.add(new MaskResult(p, predictions(encodings.get(s), p, singleMask, logits, r++, targetIds, options.topK())));
            }
            results.add(perText);
        }
        return results;
    }

    /**
     * Checks one text as {@link #fill} would, without running the model: an {@link IllegalArgumentException} saying why
     * it cannot be filled (empty, too long, no [MASK]). Front ends use it to report a bad line and carry on.
     */
    public void check(String text, Options options) {
        encode(text, -1, options);
    }

    /** {@code index} from 0 names the text in messages; −1 when it is the only one. */
    private Encoding encode(String text, int index, Options options) {
        String which = index >= 0 ? "text " + (index + 1) : "the text";
        if (text == null || text.isBlank()) throw new IllegalArgumentException(which + " is empty");
        Encoding e = tokenizer.encode(text, maxLength, options.truncate());
        if (maskPositions(e).length == 0) {
            String mask = maskToken();
            throw new IllegalArgumentException("no " + mask + " token in " + (index >= 0 ? which + " " : "text ")
                    + "'" + abbreviate(text) + "'" + (e.truncated() ? " (after truncation to " + maxLength + " tokens)" : "")
                    + wrongMaskHint(text, mask));
        }
        return e;
    }

    /** Mask tokens of other tokenizers that a user may type out of habit: BERT's and RoBERTa's. */
    private static final List<String> OTHER_MASKS = List.of("[MASK]", "<mask>");

    /**
     * {@code ": this model's mask token is <mask>, not [MASK]"} when {@code text} holds another family's mask token
     * instead of {@code mask}, else "": front ends (CLI, server, Spark) add it to their "no mask" message so a user who
     * wrote BERT's {@code [MASK]} for a RoBERTa model (or the reverse) reads which token to write.
     */
    public static String wrongMaskHint(String text, String mask) {
        for (String other : OTHER_MASKS) {
            if (!other.equals(mask) && text.contains(other)) return ": this model's mask token is " + mask + ", not " + other;
        }
        return "";
    }

    /**
     * Hugging Face's fill-mask output shape for {@code results}: a list of {score, token, token_str, sequence} per mask;
     * a list of those when a text has several masks; one entry per text, unwrapped when there is one text.
     * Front ends (CLI, server) serialise this as JSON.
     */
    public static Object huggingFaceShape(List<List<MaskResult>> results) {
        List<Object> perText = new ArrayList<>();
        for (List<MaskResult> masks : results) {
            List<Object> perMask = new ArrayList<>();
            for (MaskResult m : masks) {
                List<Map<String, Object>> preds = new ArrayList<>();
                for (Prediction p : m.predictions()) {
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("score", p.score());
                    o.put("token", p.token());
                    o.put("token_str", p.tokenStr());
                    o.put("sequence", p.sequence());
                    preds.add(o);
                }
                perMask.add(preds);
            }
            perText.add(perMask.size() == 1 ? perMask.getFirst() : perMask);
        }
        return perText.size() == 1 ? perText.getFirst() : perText;
    }

    private List<Prediction> predictions(Encoding e, int position, boolean singleMask, FloatTensor logits, int row, int[] targetIds, int topK) {
        int v = logits.dim(1), off = logits.rowOffset(row);
        float[] d = logits.data();
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < v; i++) max = Math.max(max, d[off + i]);
        double z = 0;
        for (int i = 0; i < v; i++) z += Math.exp(d[off + i] - max);
        int[] chosen;
        if (targetIds.length > 0) {
            Integer[] order = Arrays.stream(targetIds).boxed().toArray(Integer[]::new);
            Arrays.sort(order, (a, b) -> Float.compare(d[off + b], d[off + a]));
            chosen = Arrays.stream(order).mapToInt(Integer::intValue).limit(topK).toArray();
        } else {
            chosen = TopK.indices(d, off, Math.min(v, tokenizer.vocabSize()), topK);   // a padded table's extra rows name no token
        }
        List<Prediction> out = new ArrayList<>(chosen.length);
        for (int id : chosen) {
            double score = Math.exp(d[off + id] - max) / z;
            int[] filled = e.ids().clone();
            filled[position] = id;
            // Hugging Face: decode(tokens, skip_special_tokens=single_mask), so several masks keep [CLS], [SEP] and the other [MASK]s
            out.add(new Prediction(score, id, tokenizer.decode(new int[] {id}, false), tokenizer.decode(filled, singleMask)));
        }
        return out;
    }

    /** The vocabulary ids {@code targets} score, and a warning for each word that is not itself a vocabulary token. */
    public record Targets(int[] ids, List<String> warnings) {}

    /**
     * Hugging Face's {@code FillMaskPipeline.get_target_ids}: a target that is a vocabulary token is used as is; any other
     * is tokenized and its first word piece used instead, with a warning; one with no word piece at all is ignored, with
     * a warning; and an error if none is left. The warnings are Hugging Face's words.
     */
    public Targets resolveTargets(List<String> targets) {
        Map<Integer, String> ids = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        for (String t : targets) {
            if (t == null || t.isBlank()) throw new IllegalArgumentException("empty target word");
            int id = tokenizer.id(t);
            if (id < 0) {
                Encoding e = tokenizer.encode(t, Integer.MAX_VALUE, false);
                for (int i = 0; i < e.length(); i++) {
                    if (!e.special()[i]) {
                        id = e.ids()[i];
                        break;
                    }
                }
                if (id < 0) {
                    warnings.add("The specified target token `" + t + "` does not exist in the model vocabulary. "
                            + "We cannot replace it with anything meaningful, ignoring it");
                    continue;
                }
                warnings.add("The specified target token `" + t + "` does not exist in the model vocabulary. "
                        + "Replacing with `" + tokenizer.token(id) + "`.");
            }
            ids.putIfAbsent(id, t);
        }
        if (!targets.isEmpty() && ids.isEmpty()) throw new IllegalArgumentException("At least one target must be provided when passed.");
        return new Targets(ids.keySet().stream().mapToInt(Integer::intValue).toArray(), List.copyOf(warnings));
    }

    /** The warnings {@link #resolveTargets} gives for {@code targets}: what a front end prints before filling. */
    public List<String> targetWarnings(List<String> targets) {
        return resolveTargets(targets).warnings();
    }

    private int[] maskPositions(Encoding e) {
        int mask = tokenizer.maskId();
        return java.util.stream.IntStream.range(0, e.length()).filter(i -> e.ids()[i] == mask).toArray();
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "…";
    }
}
