package dev.mlm4j.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.Precision;
import dev.mlm4j.model.Encoder;
import dev.mlm4j.model.EncoderOutput;
import dev.mlm4j.model.ForwardOptions;
import dev.mlm4j.model.MaskedLanguageModel;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tokens.Encoding;
import dev.mlm4j.tokens.Tokenizer;
import dev.mlm4j.util.ProgressListener;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A masked language model as the evaluations use it: token ids in, last hidden states (and, on request, the
 * embedding layer's output) or masked-token scores out, under either attention mask. Frozen: nothing here
 * changes a weight. A causal LM (config.json {@code "is_decoder": true}, transformers' {@code BertLMHeadModel}: the
 * same BERT weights and {@code cls.predictions} head, trained to predict the next token under the causal mask) is
 * recognised by that key, read here from the folder itself, and the evaluations use it as a causal LM.
 */
public final class EvalModel implements MaskedTokenScorer {
    private final String name;
    private final Encoder encoder;
    private final MaskedLanguageModel model;   // null: an encoder without a language-model head (features only)
    private final Tokenizer tokenizer;
    private final int maxLength;
    private final boolean causalLm;

    public EvalModel(String name, MaskedLanguageModel model, Tokenizer tokenizer, int maxLength) {
        this(name, model, tokenizer, maxLength, false);
    }

    /** @param causalLm the model was trained as a causal LM (next token, causal mask), not as a masked LM */
    public EvalModel(String name, MaskedLanguageModel model, Tokenizer tokenizer, int maxLength, boolean causalLm) {
        this(name, model.encoder(), model, tokenizer, maxLength, causalLm);
    }

    private EvalModel(String name, Encoder encoder, MaskedLanguageModel model, Tokenizer tokenizer, int maxLength, boolean causalLm) {
        this.name = name;
        this.encoder = encoder;
        this.model = model;
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
        this.causalLm = causalLm;
    }

    /**
     * Resolves a model name or folder through the hub (progress to {@code progress}, null: stderr) and loads it with its
     * head, as {@link Models#load} shares it with the other pipelines (precision: {@code -Dmlm4j.weights}, else fp32).
     */
    public static EvalModel load(String nameOrPath, ProgressListener progress) {
        boolean causal = isCausalLm(Models.resolve(nameOrPath, progress));
        Models.Loaded m = Models.load(nameOrPath, progress, Precision.fromProperty());
        if (m.maskedLm() == null) throw Models.noMaskedLmHead(nameOrPath, "the evaluations need a model with a language-model head");
        return new EvalModel(nameOrPath, m.maskedLm(), m.tokenizer(), m.maxLength(), causal);
    }

    /**
     * As {@link #load}, for the evaluations that read only hidden states (probes, permutation): a model without a
     * language-model head — a sentence encoder such as all-MiniLM-L6-v2 — is taken as it is.
     */
    public static EvalModel loadEncoder(String nameOrPath, ProgressListener progress) {
        boolean causal = isCausalLm(Models.resolve(nameOrPath, progress));
        Models.Loaded m = Models.load(nameOrPath, progress, Precision.fromProperty());
        return new EvalModel(nameOrPath, m.encoder(), m.maskedLm(), m.tokenizer(), m.maxLength(), causal);
    }

    /** Resolves a model name or folder (progress to {@code progress}, null: stderr) and says whether it is a causal LM. */
    public static boolean isCausalLm(String nameOrPath, ProgressListener progress) {
        return isCausalLm(Models.resolve(nameOrPath, progress));
    }

    /**
     * Whether the model folder's config.json says {@code "is_decoder": true} (transformers' flag for a causal LM such as
     * {@code BertLMHeadModel}); false without a config.json (an .onnx file, a TensorFlow checkpoint).
     */
    public static boolean isCausalLm(Path folder) {
        Path config = Files.isDirectory(folder) ? folder.resolve("config.json") : null;
        if (config == null || !Files.isRegularFile(config)) return false;
        try {
            JsonNode root = new ObjectMapper().readTree(config.toFile());
            return root != null && root.path("is_decoder").asBoolean(false);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + config + ": " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    /** Trained as a causal LM (config.json {@code "is_decoder": true}): its own predictions are next-token ones. */
    public boolean causalLm() {
        return causalLm;
    }

    public String name() {
        return name;
    }

    /** Whether it can score tokens: false for an encoder loaded with {@link #loadEncoder} that has no such head. */
    public boolean hasLanguageModelHead() {
        return model != null;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public int maxLength() {
        return maxLength;
    }

    public int hiddenSize() {
        return encoder.config().hiddenSize();
    }

    /** The word pieces of a text, without [CLS]/[SEP]. */
    public int[] pieces(String text) {
        Encoding e = tokenizer.encode(text, Integer.MAX_VALUE, false);
        int n = 0;
        for (boolean s : e.special()) if (!s) n++;
        int[] out = new int[n];
        for (int i = 0, j = 0; i < e.length(); i++) if (!e.special()[i]) out[j++] = e.ids()[i];
        return out;
    }

    /** [CLS] pieces [SEP]. */
    public int[] withSpecials(int[] pieces) {
        int[] ids = new int[pieces.length + 2];
        ids[0] = tokenizer.clsId();
        System.arraycopy(pieces, 0, ids, 1, pieces.length);
        ids[ids.length - 1] = tokenizer.sepId();
        return ids;
    }

    /** One forward pass over sequences packed without padding; hidden states of every layer when asked. */
    public EncoderOutput forward(int[][] ids, AttentionMask.Direction direction, boolean hiddenStates) {
        for (int[] s : ids) {
            if (s.length > maxLength) throw new IllegalArgumentException("a sequence of " + s.length + " tokens is longer than "
                    + name + "'s maximum of " + maxLength);
        }
        return encoder.forward(Batch.of(ids, null), new ForwardOptions(direction, false, hiddenStates));
    }

    /** Logits (rows.length, vocab) at packed rows of a forward pass's output. */
    public FloatTensor logits(EncoderOutput out, int[] rows) {
        if (model == null) throw Models.noMaskedLmHead(name, "this evaluation needs a model with a language-model head");
        return model.logits(out, rows);
    }

    @Override
    public Score[] score(List<Query> queries, AttentionMask.Direction direction) {
        if (queries.isEmpty()) return new Score[0];
        int[][] ids = new int[queries.size()][];
        for (int i = 0; i < ids.length; i++) ids[i] = queries.get(i).ids();
        EncoderOutput out = forward(ids, direction, false);
        int[] rows = new int[ids.length];
        for (int i = 0; i < rows.length; i++) rows[i] = out.batch().offset(i) + queries.get(i).row();
        FloatTensor logits = logits(out, rows);                  // (queries, vocab)
        Score[] scores = new Score[ids.length];
        for (int i = 0; i < ids.length; i++) scores[i] = scoreRow(logits.data(), logits.rowOffset(i), logits.dim(1), queries.get(i).target());
        return scores;
    }

    /** log-softmax of the target and its rank, from one row of logits. */
    static Score scoreRow(float[] d, int off, int vocab, int target) {
        float max = Float.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) max = Math.max(max, d[off + v]);
        double z = 0;
        for (int v = 0; v < vocab; v++) z += Math.exp(d[off + v] - max);
        float t = d[off + target];
        int higher = 0;
        for (int v = 0; v < vocab; v++) if (d[off + v] > t) higher++;
        return new Score(t - max - Math.log(z), higher + 1);
    }

    /** The ids the generator may produce: everything but bracketed specials ([CLS], [MASK], [unused7], …). */
    public boolean[] allowedForGeneration() {
        boolean[] ok = new boolean[tokenizer.vocabSize()];
        for (int id = 0; id < ok.length; id++) {
            String t;
            try {
                t = tokenizer.token(id);
            } catch (IllegalArgumentException hole) {
                continue;
            }
            ok[id] = !(t.startsWith("[") && t.endsWith("]") && t.length() > 2);
        }
        return ok;
    }

    /** Several texts' pieces, for callers that tokenize in bulk. */
    public List<int[]> pieces(List<String> texts) {
        List<int[]> out = new ArrayList<>(texts.size());
        for (String t : texts) out.add(pieces(t));
        return out;
    }
}
