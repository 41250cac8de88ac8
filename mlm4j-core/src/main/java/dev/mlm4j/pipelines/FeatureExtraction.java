package dev.mlm4j.pipelines;

import dev.mlm4j.config.Batch;
import dev.mlm4j.model.Encoder;
import dev.mlm4j.model.EncoderOutput;
import dev.mlm4j.model.ForwardOptions;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tokens.Encoding;
import dev.mlm4j.tokens.Tokenizer;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

/**
 * Feature extraction: text → one vector (a sentence embedding: the last hidden state pooled by mean or [CLS],
 * optionally L2-normalised, as sentence-transformers' {@code encode}) or one vector per token (Hugging Face's
 * {@code feature-extraction} pipeline, {@code last_hidden_state}).
 * <pre>
 *   FeatureExtraction fe = Models.embeddings("all-MiniLM-L6-v2");
 *   float[] v = fe.embed("A man is playing a guitar.");              // mean-pooled, unit length (the model's card)
 *   List&lt;Embedding&gt; tokens = fe.extract(texts, Options.DEFAULT.withPooling(Pooling.NONE));
 * </pre>
 * Texts are run in padding-free batches of about {@link Options#batchTokens} tokens: sequences are packed end to
 * end, so a text's vectors do not depend on which other texts share its batch (a model from an int8 ONNX file, whose
 * layers quantize each pass's input as a whole, runs one text per pass for the same reason).
 *
 * <p><b>Lengths.</b> A text may be as long as the model's <em>working</em> length: the card's {@code maxLength}
 * (sentence-transformers' {@code max_seq_length}: 256 for all-MiniLM-L6-v2, which was trained on at most 256 tokens),
 * else its position table ({@code max_position_embeddings}, 512 for BERTs). A longer text is an error unless truncation
 * is asked for, which cuts it there, as sentence-transformers and TEI do: so a 300-token text never gets a vector
 * sentence-transformers would not give. {@link Options#maxLength} replaces the working length with the caller's own,
 * up to the position table (e.g. 512 to run MiniLM's longer texts whole). The truncation length a tokenizer.json
 * declares (128 for all-MiniLM-L6-v2, left there by its export) is not used.
 *
 * <p><b>Prefixes.</b> Some models were trained with a marker before every text saying what it is: E5 wants
 * {@code "query: "} before a query and {@code "passage: "} before a document to be retrieved, and {@code "query: "}
 * for everything else (similarity, clustering, features), as its model card says. Such a model's card names its
 * {@link Prefixes}; {@link Options#input} picks one ({@link Input#QUERY} when not given, the card's advice for
 * everything but the documents of a retrieval task), and it is put before each text ahead of tokenization
 * unless the text already begins with it. {@link Embedding#text} stays the caller's text; the encoding shows the
 * prefix's tokens. Models without prefixes ignore the option.
 *
 * <p>Immutable and thread-safe: every call allocates its own activations.
 */
public final class FeatureExtraction {

    /** Tokens per forward pass when {@link Options#batchTokens} is 0: big enough to keep both cores busy, small enough to keep memory flat. */
    public static final int DEFAULT_BATCH_TOKENS = 4096;

    /**
     * @param pooling     mean, cls or none (token vectors); null: the model's own (its card's, else mean)
     * @param normalize   L2-normalise each output vector; null: the card's for pooled vectors, false for token vectors
     * @param truncate    cut texts that are too long instead of failing
     * @param maxLength   0: the model's limits (see the class comment); else the longest a text may be, in tokens with
     *                    [CLS] and [SEP], and where truncation cuts
     * @param batchTokens tokens per forward pass; 0: {@value #DEFAULT_BATCH_TOKENS}
     * @param input       what the texts are, for a model with {@link Prefixes}; null: {@link Input#QUERY}
     */
    public record Options(Pooling pooling, Boolean normalize, boolean truncate, int maxLength, int batchTokens, Input input) {
        public static final Options DEFAULT = new Options(null, null, false, 0, 0, null);

        public Options {
            if (maxLength != 0 && maxLength < 2) throw new IllegalArgumentException("max length must be at least 2 ([CLS] and [SEP]), got " + maxLength);
            if (batchTokens < 0) throw new IllegalArgumentException("batch tokens must not be negative, got " + batchTokens);
        }

        /** Options for texts of the default {@link Input}. */
        public Options(Pooling pooling, Boolean normalize, boolean truncate, int maxLength, int batchTokens) {
            this(pooling, normalize, truncate, maxLength, batchTokens, null);
        }

        public Options withPooling(Pooling p) {
            return new Options(p, normalize, truncate, maxLength, batchTokens, input);
        }

        public Options withNormalize(Boolean n) {
            return new Options(pooling, n, truncate, maxLength, batchTokens, input);
        }

        public Options withTruncate(boolean t) {
            return new Options(pooling, normalize, t, maxLength, batchTokens, input);
        }

        public Options withMaxLength(int m) {
            return new Options(pooling, normalize, truncate, m, batchTokens, input);
        }

        public Options withBatchTokens(int b) {
            return new Options(pooling, normalize, truncate, maxLength, b, input);
        }

        public Options withInput(Input i) {
            return new Options(pooling, normalize, truncate, maxLength, batchTokens, i);
        }
    }

    /** What a text is, for a model trained with a marker before each kind (see the class comment). */
    public enum Input {
        /** A query, or any text outside a retrieval task: the query prefix. */
        QUERY,
        /** A document (passage) to be found by queries: the passage prefix. */
        PASSAGE,
        /** The text as given, no prefix (for texts that already carry the model's markers in some other form). */
        AS_IS
    }

    /**
     * The markers a model's card asks for before each kind of text, e.g. E5's {@code "query: "} and {@code "passage: "};
     * {@link #NONE} for models without.
     */
    public record Prefixes(String query, String passage) {
        public static final Prefixes NONE = new Prefixes("", "");

        public Prefixes {
            query = query == null ? "" : query;
            passage = passage == null ? "" : passage;
        }

        /** {@code text} with the prefix of {@code input} before it, unless it already begins with that prefix. */
        public String apply(String text, Input input) {
            String prefix = switch (input == null ? Input.QUERY : input) {
                case QUERY -> query;
                case PASSAGE -> passage;
                case AS_IS -> "";
            };
            return prefix.isEmpty() || text.startsWith(prefix) ? text : prefix + text;
        }
    }

    /**
     * The features of one text.
     *
     * @param index        the text's position in the input, from 0
     * @param text         the text; null for a sequence given as tokens ({@link #extractEncoded})
     * @param encoding     its tokens, as the model saw them (after any truncation)
     * @param vector       the pooled vector (hidden); null when pooling is none
     * @param tokenVectors one vector per token (len, hidden) when pooling is none; else null
     */
    public record Embedding(int index, String text, Encoding encoding, float[] vector, float[][] tokenVectors) {
        public String[] tokens() {
            return encoding.tokens();
        }

        public boolean truncated() {
            return encoding.truncated();
        }
    }

    private final Encoder model;
    private final Tokenizer tokenizer;
    private final Pooling defaultPooling;
    private final boolean defaultNormalize;
    private final int workingLength; // where truncation cuts by default
    private final int maxTokens;     // the position table: nothing longer can be run
    private final Prefixes prefixes;

    /**
     * @param defaultPooling   the model's pooling (mean or cls)
     * @param defaultNormalize whether the model's pooled vectors are L2-normalised
     * @param maxLength        the model's working length: where truncation cuts (at most its position table)
     */
    public FeatureExtraction(Encoder model, Tokenizer tokenizer, Pooling defaultPooling, boolean defaultNormalize, int maxLength) {
        this(model, tokenizer, defaultPooling, defaultNormalize, maxLength, Prefixes.NONE);
    }

    /** As the constructor above, for a model whose texts get {@code prefixes} (see the class comment). */
    public FeatureExtraction(Encoder model, Tokenizer tokenizer, Pooling defaultPooling, boolean defaultNormalize, int maxLength,
                             Prefixes prefixes) {
        if (defaultPooling == null || defaultPooling == Pooling.NONE) throw new IllegalArgumentException("a model's default pooling is mean or cls, not " + defaultPooling);
        if (tokenizer.vocabSize() > model.config().vocabSize()) {
            throw new IllegalArgumentException("the tokenizer's vocabulary (" + tokenizer.vocabSize()
                    + ") is larger than the model's (" + model.config().vocabSize() + ")");
        }
        this.model = model;
        this.tokenizer = tokenizer;
        this.defaultPooling = defaultPooling;
        this.defaultNormalize = defaultNormalize;
        this.maxTokens = model.config().maxPositionEmbeddings();
        this.workingLength = Math.min(maxLength, maxTokens);
        this.prefixes = prefixes == null ? Prefixes.NONE : prefixes;
    }

    /** The markers this model puts before each kind of text ({@link Prefixes#NONE} for most models). */
    public Prefixes prefixes() {
        return prefixes;
    }

    /** The encoder this pipeline runs (shared with the model's other pipelines when loaded by {@link Models}). */
    public Encoder model() {
        return model;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** Length of the vectors (the hidden size). */
    public int dimension() {
        return model.config().hiddenSize();
    }

    public Pooling defaultPooling() {
        return defaultPooling;
    }

    public boolean defaultNormalize() {
        return defaultNormalize;
    }

    /** The working length: the longest text taken by default, and where truncation cuts; the card's maxLength, else the position table. */
    public int maxLength() {
        return workingLength;
    }

    /** The longest text the model can run at all (its position table), in tokens. */
    public int maxTokens() {
        return maxTokens;
    }

    /** The model's sentence embedding of {@code text} (its own pooling and normalisation); fails if too long. */
    public float[] embed(String text) {
        return embed(java.util.Collections.singletonList(text)).getFirst();   // List.of(null) would throw a bare NPE
    }

    /** Sentence embeddings of {@code texts}, in order (the model's pooling and normalisation); fails if one is too long. */
    public List<float[]> embed(List<String> texts) {
        List<float[]> out = new ArrayList<>(texts.size());
        for (Embedding e : extract(texts, Options.DEFAULT)) out.add(e.vector());
        return out;
    }

    /** Features of every text, in order. Every text is checked (length, null) before any is run. */
    public List<Embedding> extract(List<String> texts, Options options) {
        List<Encoding> encodings = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) encodings.add(encode(texts.get(i), i, options));
        List<Embedding> out = new ArrayList<>(texts.size());
        extract(texts.iterator(), encodings.iterator(), options, out::add);
        return out;
    }

    /**
     * Features of token sequences already made ({@link #encode}, or a client's own ids, run as they are: nothing added,
     * nothing cut), in order; {@link Embedding#text()} is null. Only the options' pooling, normalisation and batch size
     * apply. Each sequence must fit the position table ({@link #maxTokens()}).
     */
    public List<Embedding> extractEncoded(List<Encoding> encodings, Options options) {
        for (int i = 0; i < encodings.size(); i++) {
            int n = encodings.get(i).length();
            if (n == 0 || n > maxTokens) {
                throw new IllegalArgumentException("sequence " + (i + 1) + " has " + n + " tokens; it must have 1 to " + maxTokens + " (the position table)");
            }
        }
        List<Embedding> out = new ArrayList<>(encodings.size());
        extract(null, encodings.iterator(), options, out::add);
        return out;
    }

    /**
     * Features of texts as they come, handed to {@code sink} in input order, one batch of about
     * {@link Options#batchTokens} tokens at a time: memory stays flat however many texts there are.
     * A text that is too long stops the stream with an {@link IllegalArgumentException} naming it.
     */
    public void extract(Iterator<String> texts, Options options, Consumer<Embedding> sink) {
        extract(texts, null, options, sink);
    }

    /** The stream of {@link #extract(Iterator, Options, Consumer)}: texts encoded as they come, or (either may be null) already encoded. */
    private void extract(Iterator<String> texts, Iterator<Encoding> encoded, Options options, Consumer<Embedding> sink) {
        Pooling pooling = options.pooling() != null ? options.pooling() : defaultPooling;
        boolean normalize = options.normalize() != null ? options.normalize() : pooling != Pooling.NONE && defaultNormalize;
        int budget = options.batchTokens() > 0 ? options.batchTokens() : DEFAULT_BATCH_TOKENS;
        if (model.quantizesPerPass()) budget = 1; // an int8 file's layers round each pass's input as a whole: one text per pass
        List<Encoding> encodings = new ArrayList<>();
        List<String> batchTexts = new ArrayList<>();
        int index = 0, first = 0, tokens = 0;
        while (encoded != null ? encoded.hasNext() : texts.hasNext()) {
            String text = texts != null ? texts.next() : null;
            Encoding e = encoded != null ? encoded.next() : encode(text, index, options);
            if (!encodings.isEmpty() && tokens + e.length() > budget) {
                run(encodings, batchTexts, first, pooling, normalize, sink);
                encodings.clear();
                batchTexts.clear();
                first = index;
                tokens = 0;
            }
            encodings.add(e);
            batchTexts.add(text);
            tokens += e.length();
            index++;
        }
        if (!encodings.isEmpty()) run(encodings, batchTexts, first, pooling, normalize, sink);
    }

    /**
     * The tokens {@link #extract} runs for text number {@code index} (from 0, for messages; −1 says just "text"): [CLS] text [SEP]
     * (the text after the model's prefix for {@link Options#input}, if it has prefixes), cut when {@link Options#truncate};
     * an {@link IllegalArgumentException} when the text is null or too long.
     */
    public Encoding encode(String text, int index, Options options) {
        return encode(text, index >= 0 ? "text " + (index + 1) : "text", options);
    }

    /** {@link #encode(String, int, Options)} with the text named {@code what} in messages ("the source", "candidate 2"). */
    public Encoding encode(String text, String what, Options options) {
        if (text == null) throw new IllegalArgumentException(what + " is null");
        text = prefixes.apply(text, options.input());
        int limit = limit(options);
        if (limit > maxTokens) {
            throw new IllegalArgumentException("max length " + limit + " is over the model's maximum of " + maxTokens + " tokens (its position table)");
        }
        Encoding full = tokenizer.encode(text, Integer.MAX_VALUE, false);
        if (full.length() <= limit) return full;
        if (!options.truncate()) throw new dev.mlm4j.tokens.TooLongException(tooLong(what, full.length(), options), limit);
        return tokenizer.encode(text, limit, true);
    }

    /** The longest text {@code options} take, in tokens: their max length, else the working length (where truncation cuts). */
    public int limit(Options options) {
        return options.maxLength() > 0 ? options.maxLength() : workingLength;
    }

    /**
     * Why {@code what} ({@code "text 2"}), {@code tokens} long, is over the limit of {@code options} without truncation:
     * "text 2 is 602 tokens, over the model's maximum of 512", or, for a text that only the working length refuses,
     * "text 2 is 300 tokens, over the model's working length of 256 (a max length of up to 512 would run it whole)".
     */
    public String tooLong(String what, int tokens, Options options) {
        String head = what + " is " + tokens + " tokens, over ";
        if (options.maxLength() > 0) return head + "the maximum of " + options.maxLength();
        if (tokens > maxTokens || workingLength == maxTokens) return head + "the model's maximum of " + maxTokens;
        return head + "the model's working length of " + workingLength + " (a max length of up to " + maxTokens + " would run it whole)";
    }

    private void run(List<Encoding> encodings, List<String> texts, int first, Pooling pooling, boolean normalize, Consumer<Embedding> sink) {
        Batch batch = Batch.of(encodings);
        EncoderOutput out = model.forward(batch, ForwardOptions.DEFAULT);
        FloatTensor last = out.lastHiddenState();                  // (T, hidden), sequences end to end
        float[] d = last.data();
        int h = last.dim(1);
        for (int s = 0; s < batch.size(); s++) {
            int off = batch.offset(s), len = batch.length(s);
            float[] vector = null;
            float[][] tokenVectors = null;
            switch (pooling) {
                case MEAN -> {
                    double[] sum = new double[h];
                    for (int t = off; t < off + len; t++) {
                        int r = last.rowOffset(t);
                        for (int i = 0; i < h; i++) sum[i] += d[r + i];
                    }
                    vector = new float[h];
                    for (int i = 0; i < h; i++) vector[i] = (float) (sum[i] / len);
                }
                case CLS -> {
                    vector = new float[h];
                    System.arraycopy(d, last.rowOffset(off), vector, 0, h);
                }
                case NONE -> {
                    tokenVectors = new float[len][h];
                    for (int t = 0; t < len; t++) System.arraycopy(d, last.rowOffset(off + t), tokenVectors[t], 0, h);
                }
            }
            if (normalize) {
                if (vector != null) normalize(vector);
                else for (float[] v : tokenVectors) normalize(v);
            }
            sink.accept(new Embedding(first + s, texts.get(s), encodings.get(s), vector, tokenVectors));
        }
    }

    /** v / max(‖v‖₂, 1e-12), in place: PyTorch's {@code F.normalize}, which sentence-transformers' Normalize uses. */
    static void normalize(float[] v) {
        double n = 0;
        for (float x : v) n += (double) x * x;
        double scale = 1 / Math.max(Math.sqrt(n), 1e-12);
        for (int i = 0; i < v.length; i++) v[i] = (float) (v[i] * scale);
    }
}
