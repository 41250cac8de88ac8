package dev.mlm4j.pipelines;

import dev.mlm4j.model.Batch;
import dev.mlm4j.model.BertForMaskedLM;
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
 * {@code sequence}); several masks in one text are each scored independently, as Hugging Face does.
 */
public final class FillMask {

    /** One candidate for one mask. */
    public record Prediction(double score, int token, String tokenStr, String sequence) {}

    /** The predictions for one [MASK]: {@code position} is its token index in the encoding. */
    public record MaskResult(int position, List<Prediction> predictions) {}

    /**
     * @param topK     candidates per mask (HF default 5)
     * @param targets  if non-empty, score only these words (each must be one vocabulary token; the first
     *                 word piece is used otherwise, as Hugging Face does)
     * @param causal   run every layer with the causal mask instead of bidirectional attention
     * @param truncate cut texts longer than the model's maximum instead of failing
     */
    public record Options(int topK, List<String> targets, boolean causal, boolean truncate) {
        public static final Options DEFAULT = new Options(5, List.of(), false, false);

        public Options {
            if (topK < 1) throw new IllegalArgumentException("top-k must be at least 1, got " + topK);
            targets = targets == null ? List.of() : List.copyOf(targets);
        }
    }

    private final BertForMaskedLM model;
    private final Tokenizer tokenizer;
    private final int maxLength;

    public FillMask(BertForMaskedLM model, Tokenizer tokenizer, int maxLength) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
        if (tokenizer.vocabSize() != model.head().vocabSize()) {
            throw new IllegalArgumentException("the tokenizer's vocabulary (" + tokenizer.vocabSize()
                    + ") does not match the model's (" + model.head().vocabSize() + ")");
        }
    }

    /** The masked LM this pipeline runs (shared with the model's other pipelines when loaded by {@link Models}). */
    public BertForMaskedLM model() {
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
        return fill(List.of(text), options).get(0);
    }

    /** Many texts, run as one padding-free batch; result i belongs to text i. */
    public List<List<MaskResult>> fill(List<String> texts, Options options) {
        if (texts.isEmpty()) throw new IllegalArgumentException("no text given");
        List<Encoding> encodings = new ArrayList<>();
        for (int t = 0; t < texts.size(); t++) {
            String text = texts.get(t);
            if (text == null || text.isBlank()) throw new IllegalArgumentException("text " + (t + 1) + " is empty");
            Encoding e = tokenizer.encode(text, maxLength, options.truncate());
            if (maskPositions(e).length == 0) {
                throw new IllegalArgumentException("no [MASK] token in text " + (texts.size() > 1 ? (t + 1) + " " : "")
                        + "'" + abbreviate(text) + "'" + (e.truncated() ? " (after truncation to " + maxLength + " tokens)" : ""));
            }
            encodings.add(e);
        }
        int[] targetIds = targetIds(options.targets());
        Batch batch = Batch.of(encodings);
        EncoderOutput out = model.bert().forward(batch, ForwardOptions.causal(options.causal()));

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
                perText.add(new MaskResult(p, predictions(encodings.get(s), p, logits, r++, targetIds, options.topK())));
            }
            results.add(perText);
        }
        return results;
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

    private List<Prediction> predictions(Encoding e, int position, FloatTensor logits, int row, int[] targetIds, int topK) {
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
            chosen = TopK.indices(d, off, v, topK);
        }
        List<Prediction> out = new ArrayList<>(chosen.length);
        for (int id : chosen) {
            double score = Math.exp(d[off + id] - max) / z;
            int[] filled = e.ids().clone();
            filled[position] = id;
            out.add(new Prediction(score, id, tokenizer.decode(new int[] {id}, false), tokenizer.decode(filled, true)));
        }
        return out;
    }

    private int[] targetIds(List<String> targets) {
        Map<Integer, String> ids = new LinkedHashMap<>();
        for (String t : targets) {
            if (t == null || t.isBlank()) throw new IllegalArgumentException("empty target word");
            Encoding e = tokenizer.encode(t, Integer.MAX_VALUE, false);
            int id = -1;
            for (int i = 0; i < e.length(); i++) {
                if (!e.special()[i]) {
                    id = e.ids()[i];
                    break;
                }
            }
            if (id < 0) throw new IllegalArgumentException("target '" + t + "' has no tokens");
            ids.putIfAbsent(id, t);
        }
        return ids.keySet().stream().mapToInt(Integer::intValue).toArray();
    }

    private int[] maskPositions(Encoding e) {
        int mask = tokenizer.maskId();
        return java.util.stream.IntStream.range(0, e.length()).filter(i -> e.ids()[i] == mask).toArray();
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "…";
    }
}
