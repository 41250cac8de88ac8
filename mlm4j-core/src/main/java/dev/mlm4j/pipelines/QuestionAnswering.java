package dev.mlm4j.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.model.Checkpoint;
import dev.mlm4j.model.EncoderOutput;
import dev.mlm4j.model.ForwardOptions;
import dev.mlm4j.model.QuestionAnswerer;
import dev.mlm4j.model.Task;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tokens.Encoding;
import dev.mlm4j.tokens.Tokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Extractive question answering with the semantics of Hugging Face's {@code question-answering} pipeline (transformers
 * 4.x {@code pipelines/question_answering.py}, the last version that has it; transformers 5 dropped the pipeline) on a
 * {@code *ForQuestionAnswering} model.
 * <pre>
 *   QuestionAnswering qa = Models.questionAnswering("path/to/bert-qa");
 *   Answer best = qa.answer("Where is the Eiffel Tower?", "The Eiffel Tower is in Paris.", Options.DEFAULT).get(0);
 * </pre>
 * The rules, in HF's order:
 * <ul>
 *   <li>the question first, the context second ({@code [CLS] q [SEP] c [SEP]}, segment ids 0/1); when that is longer than
 *       {@code max_seq_len} (default min(the tokenizer's maximum, 384)) only the context is cut, into windows of the
 *       room the question leaves, each {@code doc_stride} (default min(max_seq_len / 2, 128)) tokens into the previous,
 *       as tokenizers 0.22 makes its overflowing encodings ({@code truncation="only_second"});</li>
 *   <li>per window: logits of the tokens that are not context (the question, [SEP]) set to −10000 ([CLS] kept), a
 *       softmax of the start and of the end logits; with {@code handle_impossible_answer} the null score
 *       p_start[CLS]·p_end[CLS] (the smallest over windows); then [CLS] can neither start nor end an answer;</li>
 *   <li>a span (s, e) scores p_start[s]·p_end[e] (float32) for s ≤ e < s + {@code max_answer_len}; the best
 *       {@code top_k·2 + 10} (with {@code align_to_words}, else {@code top_k}) of all (s, e) are taken, those whose ends
 *       are not context tokens (or [CLS]) dropped;</li>
 *   <li>with {@code align_to_words} the span widens to whole words of the context (as far as the window holds them);
 *       the answer is the context between the character offsets; an answer equal (case-insensitively) to one found
 *       before adds its score to it, across windows too;</li>
 *   <li>with {@code handle_impossible_answer} the null answer {@code {score, start 0, end 0, answer ""}} joins; all are
 *       sorted by score (stably) and the first {@code top_k} returned. {@link #toJson}: one answer → an object, several → a list.</li>
 * </ul>
 * {@code max_question_len} is accepted as HF accepts it: only its slow-tokenizer path uses it, so it changes nothing
 * here either. Offsets: UTF-16 indices ({@link String#substring}) in {@link Answer}, Python's code-point indices in
 * {@link Answer#toMap}. Immutable and thread-safe.
 */
public final class QuestionAnswering {

    /**
     * Hugging Face's parameters, with its names and defaults.
     *
     * @param topK                   how many answers (≥ 1)
     * @param docStride              tokens each context window overlaps the previous; null: min(maxSeqLen / 2, 128)
     * @param maxAnswerLen           the longest answer in tokens (≥ 1)
     * @param maxSeqLen              the longest window, question and special tokens included; null: min(the tokenizer's maximum, 384)
     * @param maxQuestionLen         accepted for HF's sake; unused, as in HF's fast-tokenizer path
     * @param handleImpossibleAnswer whether "no answer" ({@code ""}, scored p_start[CLS]·p_end[CLS]) competes
     * @param alignToWords           whether spans widen to whole words of the context
     */
    public record Options(int topK, Integer docStride, int maxAnswerLen, Integer maxSeqLen, int maxQuestionLen,
                          boolean handleImpossibleAnswer, boolean alignToWords) {
        public static final Options DEFAULT = new Options(1, null, 15, null, 64, false, true);

        public Options {
            if (topK < 1) throw new IllegalArgumentException("top_k should be >= 1 (got " + topK + ")");
            if (maxAnswerLen < 1) throw new IllegalArgumentException("max_answer_len should be >= 1 (got " + maxAnswerLen + ")");
            if (maxQuestionLen < 1) throw new IllegalArgumentException("max_question_len should be >= 1 (got " + maxQuestionLen + ")");
            if (docStride != null && docStride < 0) throw new IllegalArgumentException("doc_stride must not be negative (got " + docStride + ")");
            if (maxSeqLen != null && maxSeqLen < 1) throw new IllegalArgumentException("max_seq_len should be >= 1 (got " + maxSeqLen + ")");
            if (docStride != null && maxSeqLen != null && docStride > maxSeqLen) {
                throw new IllegalArgumentException("doc_stride (" + docStride + ") is larger than max_seq_len (" + maxSeqLen + ")");
            }
        }

        public Options withTopK(int k) {
            return new Options(k, docStride, maxAnswerLen, maxSeqLen, maxQuestionLen, handleImpossibleAnswer, alignToWords);
        }

        public Options withDocStride(Integer s) {
            return new Options(topK, s, maxAnswerLen, maxSeqLen, maxQuestionLen, handleImpossibleAnswer, alignToWords);
        }

        public Options withMaxAnswerLen(int n) {
            return new Options(topK, docStride, n, maxSeqLen, maxQuestionLen, handleImpossibleAnswer, alignToWords);
        }

        public Options withMaxSeqLen(Integer n) {
            return new Options(topK, docStride, maxAnswerLen, n, maxQuestionLen, handleImpossibleAnswer, alignToWords);
        }

        public Options withMaxQuestionLen(int n) {
            return new Options(topK, docStride, maxAnswerLen, maxSeqLen, n, handleImpossibleAnswer, alignToWords);
        }

        public Options withHandleImpossibleAnswer(boolean b) {
            return new Options(topK, docStride, maxAnswerLen, maxSeqLen, maxQuestionLen, b, alignToWords);
        }

        public Options withAlignToWords(boolean b) {
            return new Options(topK, docStride, maxAnswerLen, maxSeqLen, maxQuestionLen, handleImpossibleAnswer, b);
        }

        /**
         * {@link #DEFAULT} with the parameters of a JSON object in HF's names ({@code top_k}, {@code doc_stride},
         * {@code max_answer_len}, {@code max_seq_len}, {@code max_question_len}, {@code handle_impossible_answer},
         * {@code align_to_words}); null or missing: the default. An unknown name or a value of the wrong type is an error.
         */
        public static Options fromJson(JsonNode parameters) {
            Options o = DEFAULT;
            if (parameters == null || parameters.isNull()) return o;
            if (!parameters.isObject()) throw new IllegalArgumentException("question-answering parameters must be a JSON object");
            for (Iterator<Map.Entry<String, JsonNode>> it = parameters.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                JsonNode v = f.getValue();
                if (v.isNull()) continue;
                o = switch (f.getKey()) {
                    case "top_k" -> o.withTopK(integer(f.getKey(), v));
                    case "doc_stride" -> o.withDocStride(integer(f.getKey(), v));
                    case "max_answer_len" -> o.withMaxAnswerLen(integer(f.getKey(), v));
                    case "max_seq_len" -> o.withMaxSeqLen(integer(f.getKey(), v));
                    case "max_question_len" -> o.withMaxQuestionLen(integer(f.getKey(), v));
                    case "handle_impossible_answer" -> o.withHandleImpossibleAnswer(bool(f.getKey(), v));
                    case "align_to_words" -> o.withAlignToWords(bool(f.getKey(), v));
                    default -> throw new IllegalArgumentException("unknown question-answering parameter '" + f.getKey()
                            + "': expected top_k, doc_stride, max_answer_len, max_seq_len, max_question_len,"
                            + " handle_impossible_answer or align_to_words");
                };
            }
            return o;
        }

        private static int integer(String name, JsonNode v) {
            if (!v.isIntegralNumber() || !v.canConvertToInt()) throw new IllegalArgumentException(name + " must be an integer, got " + v);
            return v.intValue();
        }

        private static boolean bool(String name, JsonNode v) {
            if (!v.isBoolean()) throw new IllegalArgumentException(name + " must be true or false, got " + v);
            return v.booleanValue();
        }
    }

    /** A question and the context to find its answer in; both must be non-empty (HF: "cannot be empty"). */
    public record Input(String question, String context) {
        public Input {
            if (question == null || question.isEmpty()) throw new IllegalArgumentException("the question is empty: there is nothing to answer");
            if (context == null || context.isEmpty()) {
                throw new IllegalArgumentException("the context is empty: a question needs a context to find its answer in");
            }
        }
    }

    /**
     * One answer: its score (a float32 probability product, or a sum of them for an answer found more than once), its
     * character span in the context (UTF-16 indices, {@code context.substring(start, end)}) and the text.
     */
    public record Answer(double score, int start, int end, String answer) {
        /** Hugging Face's JSON object ({@code score}, {@code start}, {@code end}, {@code answer}), offsets as Python's (code-point) indices. */
        public Map<String, Object> toMap(String context) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("score", score);
            m.put("start", context.codePointCount(0, Math.min(start, context.length())));
            m.put("end", context.codePointCount(0, Math.min(end, context.length())));
            m.put("answer", answer);
            return m;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BATCH_TOKENS = 4096;
    private static final float MASKED = -10000f;

    private final QuestionAnswerer model;
    private final Tokenizer tokenizer;
    private final int modelMaxLength; // the tokenizer's model_max_length, capped by the position table

    QuestionAnswering(QuestionAnswerer model, Tokenizer tokenizer, int modelMaxLength) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.modelMaxLength = Math.min(modelMaxLength, model.encoder().config().maxPositionEmbeddings());
    }

    /**
     * Opens a model folder: its {@code qa_outputs} head. A folder whose {@code architectures} names another model, or
     * without the head, is a one-line error.
     */
    static QuestionAnswering load(Path folder, String name, Precision precision) {
        try (Checkpoint c = Checkpoint.open(folder)) {
            TaskHead.config(c.folder().resolve("config.json"), name, TaskHead.QUESTION_ANSWERING);
            QuestionAnswerer m = TaskHead.load(c, Task.QUESTION_ANSWERING, precision, name, TaskHead.QUESTION_ANSWERING);
            return new QuestionAnswering(m, c.tokenizer(), Math.min(TaskHead.modelMaxLength(c), c.maxLength()));
        }
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** HF's default {@code max_seq_len}: min(the tokenizer's maximum, 384). */
    public int defaultMaxSeqLen() {
        return Math.min(modelMaxLength, 384);
    }

    /** The best answers to {@code question} in {@code context}, best first (at most {@code options.topK()}). */
    public List<Answer> answer(String question, String context, Options options) {
        return answer(new Input(question, context), options);
    }

    /** The answers of each input, in order. */
    public List<List<Answer>> answer(List<Input> inputs, Options options) {
        List<List<Answer>> out = new ArrayList<>(inputs.size());
        for (Input in : inputs) out.add(answer(in, options));
        return out;
    }

    /** The best answers for one input, Hugging Face's answer. */
    public List<Answer> answer(Input input, Options options) {
        if (input == null) throw new IllegalArgumentException("no question to answer");
        String context = input.context();
        List<Window> windows = windows(input, options);
        List<float[][]> logits = run(windows);
        int preTopK = options.alignToWords() ? options.topK() * 2 + 10 : options.topK();
        double minNull = 1_000_000;
        List<Answer> answers = new ArrayList<>();
        for (int w = 0; w < windows.size(); w++) {
            Window win = windows.get(w);
            int n = win.ids.length;
            boolean[] allowed = new boolean[n];
            for (int i = 0; i < n; i++) allowed[i] = win.seq[i] == 1 || win.ids[i] == tokenizer.clsId();
            float[] ps = softmax(logits.get(w)[0], allowed), pe = softmax(logits.get(w)[1], allowed);
            if (options.handleImpossibleAnswer()) minNull = Math.min(minNull, ps[0] * pe[0]);
            ps[0] = 0;
            pe[0] = 0;
            for (long c : candidates(ps, pe, options.maxAnswerLen(), preTopK)) {
                int s = (int) (c / n), e = (int) (c % n);
                if (!(s == 0 || allowed[s]) || !(e == 0 || allowed[e])) continue; // np.isin against allowed.nonzero()
                float score = ps[s] * pe[e];
                int si, ei;
                if (options.alignToWords() && win.word[s] >= 0 && win.word[e] >= 0) {
                    si = win.start[wordFirst(win, s)];
                    ei = win.end[wordLast(win, e)];
                } else { // token offsets; HF's fallback when a token has no word (a special token)
                    si = Math.max(win.start[s], 0);
                    ei = Math.max(win.end[e], 0);
                }
                String text = si < ei ? context.substring(si, ei) : ""; // Python's context[si:ei]
                int same = 0;
                while (same < answers.size() && !answers.get(same).answer().toLowerCase(Locale.ROOT).equals(text.toLowerCase(Locale.ROOT))) same++;
                if (same < answers.size()) {
                    Answer a = answers.get(same);
                    answers.set(same, new Answer(a.score() + score, a.start(), a.end(), a.answer()));
                } else {
                    answers.add(new Answer(score, si, ei, text));
                }
            }
        }
        if (options.handleImpossibleAnswer()) answers.add(new Answer(minNull, 0, 0, ""));
        answers.sort(Comparator.comparingDouble(Answer::score).reversed()); // stable, as Python's sorted
        return List.copyOf(answers.subList(0, Math.min(options.topK(), answers.size())));
    }

    /** Refuses what {@link #answer} would refuse (an empty input, a question that leaves no room, a bad stride) without running the model. */
    public void check(Input input, Options options) {
        windows(input, options);
    }

    /** How many question+context windows {@code input} is cut into (HF's "chunks"). */
    int windowCount(Input input, Options options) {
        return windows(input, options).size();
    }

    /** HF's reply: one answer → its object, otherwise the list of them. */
    public static JsonNode toJson(String context, List<Answer> answers) {
        if (answers.size() == 1) return JSON.valueToTree(answers.getFirst().toMap(context));
        ArrayNode list = JSON.createArrayNode();
        for (Answer a : answers) list.add((ObjectNode) JSON.valueToTree(a.toMap(context)));
        return list;
    }

    /** One model input: a window of the question and part of the context, with what the span rules need per token. */
    private record Window(int[] ids, int[] types, int[] seq, int[] start, int[] end, int[] word) {}

    /** tokenizers 0.22's {@code truncation="only_second"} with {@code return_overflowing_tokens} and {@code stride}. */
    private List<Window> windows(Input input, Options options) {
        int maxSeqLen = options.maxSeqLen() != null ? options.maxSeqLen() : defaultMaxSeqLen();
        int stride = options.docStride() != null ? options.docStride() : Math.min(maxSeqLen / 2, 128);
        if (stride > maxSeqLen) throw new IllegalArgumentException("doc_stride (" + stride + ") is larger than max_seq_len (" + maxSeqLen + ")");
        Encoding full = tokenizer.encodePair(input.question(), input.context(), Integer.MAX_VALUE, false);
        int len = full.length();
        int[] word = words(full, input.context());
        List<Window> windows = new ArrayList<>();
        if (len <= maxSeqLen) {
            windows.add(slice(full, word, 0, len, 0, 0));
        } else {
            int first = -1, last = -1;
            for (int i = 0; i < len; i++) {
                if (full.sequenceIds()[i] == 1) {
                    if (first < 0) first = i;
                    last = i;
                }
            }
            int context = first < 0 ? 0 : last - first + 1, question = len - context, room = maxSeqLen - question;
            if (room <= 0) {
                throw new IllegalArgumentException("the question and special tokens take " + question + " tokens, leaving no room for the context"
                        + " in max_seq_len " + maxSeqLen + ": shorten the question or raise max_seq_len");
            }
            if (stride >= room) {
                throw new IllegalArgumentException("doc_stride " + stride + " must be less than the " + room + " context tokens a window holds"
                        + " (max_seq_len " + maxSeqLen + " less the question's " + question + " tokens with [CLS] and [SEP])");
            }
            // Encoding::truncate: parts [start, min(start + room, n)) for start = 0, room − stride, … until one reaches the end
            for (int start = 0; ; start += room - stride) {
                int stop = Math.min(start + room, context);
                windows.add(slice(full, word, first, last + 1, start, stop));
                if (stop >= context) break;
            }
        }
        int limit = model.encoder().config().maxPositionEmbeddings();
        for (Window w : windows) {
            if (w.ids.length > limit) {
                throw new IllegalArgumentException("a window of " + w.ids.length + " tokens is over the model's maximum of " + limit
                        + " (its position table): lower max_seq_len");
            }
        }
        return windows;
    }

    /**
     * tokenizers' word index of every context token (−1 elsewhere), as the pipeline's {@code token_to_word} gives it:
     * the pre-tokenizer's split the token came from ({@link Tokenizer#wordIds}: BERT's words, RoBERTa's ByteLevel
     * pieces such as "Ġcapital" or "'s", XLM-R's and DeBERTa-v3's ▁ words). The pair's context tokens are those of
     * the context encoded alone, in order, so the k-th of them has the context's k-th word id.
     */
    private int[] words(Encoding e, String context) {
        int[] contextWords = tokenizer.wordIds(context);
        int[] word = new int[e.length()];
        int k = 0;
        for (int i = 0; i < word.length; i++) {
            boolean inContext = e.sequenceIds()[i] == 1 && !e.special()[i];
            word[i] = inContext && k < contextWords.length ? contextWords[k++] : -1;
        }
        return word;
    }

    /** The whole encoding ({@code from == to == 0}), or its question part + context tokens [from + a, from + b) + the rest after {@code to}. */
    private static Window slice(Encoding e, int[] word, int from, int to, int a, int b) {
        int n = e.length();
        List<Integer> rows = new ArrayList<>();
        if (from == 0 && to == n && a == 0 && b == 0) {
            for (int i = 0; i < n; i++) rows.add(i);
        } else {
            for (int i = 0; i < from; i++) rows.add(i);
            for (int i = from + a; i < from + b; i++) rows.add(i);
            for (int i = to; i < n; i++) rows.add(i);
        }
        int m = rows.size();
        int[] ids = new int[m], types = new int[m], seq = new int[m], start = new int[m], end = new int[m], words = new int[m];
        for (int j = 0; j < m; j++) {
            int i = rows.get(j);
            ids[j] = e.ids()[i];
            types[j] = e.typeIds()[i];
            seq[j] = e.sequenceIds()[i];
            start[j] = e.start()[i];
            end[j] = e.end()[i];
            words[j] = word[i];
        }
        return new Window(ids, types, seq, start, end, words);
    }

    /** The first token of {@code t}'s word in the window (word_to_tokens within the window's context). */
    private static int wordFirst(Window w, int t) {
        int i = t;
        while (i > 0 && w.word[i - 1] == w.word[t]) i--;
        return i;
    }

    private static int wordLast(Window w, int t) {
        int i = t;
        while (i + 1 < w.word.length && w.word[i + 1] == w.word[t]) i++;
        return i;
    }

    /** Start and end logits ({@code [0]}, {@code [1]}) of every window, in order; the forward runs in batches of ≤ 4096 tokens. */
    private List<float[][]> run(List<Window> windows) {
        List<float[][]> out = new ArrayList<>(windows.size());
        int from = 0;
        while (from < windows.size()) {
            int to = from, tokens = 0;
            while (to < windows.size() && (to == from || tokens + windows.get(to).ids.length <= BATCH_TOKENS)) tokens += windows.get(to++).ids.length;
            int[][] ids = new int[to - from][], types = new int[to - from][];
            for (int s = from; s < to; s++) {
                ids[s - from] = windows.get(s).ids;
                types[s - from] = windows.get(s).types;
            }
            Batch batch = Batch.of(ids, types);
            Kernels k = Kernels.get();
            EncoderOutput o = model.encoder().forward(k, batch, ForwardOptions.DEFAULT);
            FloatTensor l = model.logits(k, o);
            for (int s = 0; s < batch.size(); s++) {
                int n = batch.length(s);
                float[][] se = new float[2][n];
                for (int i = 0; i < n; i++) {
                    int r = l.rowOffset(batch.offset(s) + i);
                    se[0][i] = l.data()[r];
                    se[1][i] = l.data()[r + 1];
                }
                out.add(se);
            }
            from = to;
        }
        return out;
    }

    /** HF's float32 softmax over the logits, the tokens not {@code allowed} set to −10000 first. */
    private static float[] softmax(float[] logits, boolean[] allowed) {
        int n = logits.length;
        float[] x = new float[n];
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            x[i] = allowed[i] ? logits[i] : MASKED;
            max = Math.max(max, x[i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            x[i] = (float) Math.exp(x[i] - max);
            sum += x[i];
        }
        float total = (float) sum;
        for (int i = 0; i < n; i++) x[i] /= total;
        return x;
    }

    /**
     * decode_spans: the flat indices s·n + e of the best {@code k} entries of the (n × n) matrix p_start[s]·p_end[e],
     * zero outside s ≤ e < s + maxLen; by score descending, ties (the zeros when fewer than k spans score) by index.
     */
    private static long[] candidates(float[] ps, float[] pe, int maxLen, int k) {
        int n = ps.length;
        List<long[]> scored = new ArrayList<>(); // {flat index, float bits}
        for (int s = 0; s < n; s++) {
            for (int e = s; e < Math.min(n, s + maxLen); e++) {
                float v = ps[s] * pe[e];
                if (v > 0) scored.add(new long[]{(long) s * n + e, Float.floatToIntBits(v)});
            }
        }
        scored.sort(Comparator.<long[]>comparingDouble(c -> -Float.intBitsToFloat((int) c[1])).thenComparingLong(c -> c[0]));
        int m = (int) Math.min(k, (long) n * n);
        long[] out = new long[m];
        int j = 0;
        for (; j < m && j < scored.size(); j++) out[j] = scored.get(j)[0];
        if (j < m) { // fewer positive spans than asked for: the zero entries follow by index
            java.util.Set<Long> positive = new java.util.HashSet<>();
            for (long[] c : scored) positive.add(c[0]);
            for (long f = 0; j < m; f++) if (!positive.contains(f)) out[j++] = f;
        }
        return out;
    }
}
