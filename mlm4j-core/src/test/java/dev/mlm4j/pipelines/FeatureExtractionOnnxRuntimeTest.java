package dev.mlm4j.pipelines;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.mlm4j.model.TestModels;
import dev.mlm4j.pipelines.FeatureExtraction.Embedding;
import dev.mlm4j.pipelines.FeatureExtraction.Options;
import dev.mlm4j.tokens.Encoding;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * mlm4j's embeddings against ONNX Runtime ({@code com.microsoft.onnxruntime:onnxruntime:1.23.2}) running the very ONNX
 * file mlm4j reads, on 60-odd varied texts (Brown, nlp-corpus, non-ASCII, edge cases, and long texts of 96 to 512
 * tokens, one cut to exactly 512). ORT gets the ids, type ids and an all-ones attention mask from mlm4j's tokenizer
 * (its parity with Hugging Face's is tested in dev.mlm4j.tokens) and runs each text alone, unpadded; mlm4j runs them
 * packed in batches of very different lengths. ORT's {@code last_hidden_state} is the golden value: token vectors
 * must agree to 1e-4, and the sentence vectors (pooled here from ORT's output in double, as the card says: mean for
 * MiniLM and E5, [CLS] for BGE, then L2-normalised) to a cosine of 0.99999. bge-small-zh-v1.5 runs on Chinese texts
 * ({@link EmbeddingTexts#chinese}), e5-small-v2 on the varied texts as passages (each after its "passage: " prefix).
 */
class FeatureExtractionOnnxRuntimeTest {

    @ParameterizedTest
    @CsvSource({"all-MiniLM-L6-v2, MEAN, QUERY", "bge-small-en-v1.5, CLS, QUERY", "bge-small-zh-v1.5, CLS, QUERY", "e5-small-v2, MEAN, PASSAGE"})
    void embeddingsMatchOnnxRuntimeOnTheSameFile(String name, Pooling cardPooling, FeatureExtraction.Input input) throws OrtException {
        FeatureExtraction fe = Models.embeddings(TestModels.folder(name).toString());
        assertEquals(cardPooling, fe.defaultPooling(), "pooling from the card");
        assertTrue(fe.defaultNormalize(), "normalised, from the card");
        List<String> texts = name.startsWith("bge-small-zh") ? EmbeddingTexts.chinese(fe.tokenizer()) : EmbeddingTexts.varied(fe.tokenizer());
        assertTrue(texts.size() >= 50, "at least 50 texts");
        Options options = Options.DEFAULT.withTruncate(true).withMaxLength(512).withBatchTokens(1500).withInput(input);
        List<Embedding> tokens = fe.extract(texts, options.withPooling(Pooling.NONE));
        List<Embedding> pooled = fe.extract(texts, options);
        assertEquals(512, tokens.getLast().encoding().length(), "the last text is cut to 512 tokens");
        assertTrue(tokens.getLast().truncated());

        double maxDiff = 0, minCos = 1;
        String worst = "";
        int longest = 0;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions();
             OrtSession session = env.createSession(TestModels.folder(name).resolve("model.onnx").toString(), so)) {
            for (int t = 0; t < texts.size(); t++) {
                Encoding e = tokens.get(t).encoding();
                longest = Math.max(longest, e.length());
                float[][] ort = lastHiddenState(env, session, e);                     // (len, hidden), golden
                float[][] ours = tokens.get(t).tokenVectors();
                assertEquals(ort.length, ours.length, "text " + t + ": tokens");
                for (int i = 0; i < ort.length; i++) {
                    for (int j = 0; j < ort[i].length; j++) {
                        double d = Math.abs(ort[i][j] - ours[i][j]);
                        if (d > maxDiff) {
                            maxDiff = d;
                            worst = "text " + t + " (" + e.length() + " tokens), token " + i + " '" + e.tokens()[i] + "', dim " + j
                                    + ": ORT " + ort[i][j] + ", mlm4j " + ours[i][j];
                        }
                    }
                }
                double cos = Similarity.cosine(pool(ort, cardPooling), pooled.get(t).vector());
                minCos = Math.min(minCos, cos);
                assertTrue(cos >= 0.99999, name + " text " + t + ": cosine " + cos + " with ORT's pooled vector");
                assertEquals(1.0, norm(pooled.get(t).vector()), 1e-5, "unit length");
            }
        }
        System.out.printf(Locale.ROOT, "%s vs ONNX Runtime, %d texts (longest %d tokens): max |diff| of token vectors %.3g at %s; min cosine of pooled vectors 1 - %.2g%n",
                name, texts.size(), longest, maxDiff, worst, 1 - minCos);
        assertEquals(512, longest);
        assertTrue(maxDiff <= 1e-4, name + ": token vectors differ from ONNX Runtime's by " + maxDiff + " at " + worst);
    }

    /** ORT on one unpadded sequence: input_ids, attention_mask (all ones), token_type_ids → last_hidden_state (len, hidden). */
    static float[][] lastHiddenState(OrtEnvironment env, OrtSession session, Encoding e) throws OrtException {
        int n = e.length();
        long[] ids = new long[n], mask = new long[n], types = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = e.ids()[i];
            mask[i] = 1;
            types[i] = e.typeIds()[i];
        }
        try (OnnxTensor a = OnnxTensor.createTensor(env, new long[][] {ids});
             OnnxTensor b = OnnxTensor.createTensor(env, new long[][] {mask});
             OnnxTensor c = OnnxTensor.createTensor(env, new long[][] {types});
             OrtSession.Result r = session.run(Map.of("input_ids", a, "attention_mask", b, "token_type_ids", c))) {
            OnnxTensor out = (OnnxTensor) r.get("last_hidden_state").orElseThrow();
            long[] shape = out.getInfo().getShape();
            assertEquals(n, shape[1]);
            FloatBuffer fb = out.getFloatBuffer();
            float[][] rows = new float[n][(int) shape[2]];
            for (float[] row : rows) fb.get(row);
            return rows;
        }
    }

    /** sentence-transformers' pooling of ORT's output, in double: mean over all tokens or [CLS], then L2-normalised. */
    static float[] pool(float[][] h, Pooling pooling) {
        double[] v = new double[h[0].length];
        if (pooling == Pooling.CLS) {
            for (int j = 0; j < v.length; j++) v[j] = h[0][j];
        } else {
            for (float[] row : h) for (int j = 0; j < v.length; j++) v[j] += row[j];
            for (int j = 0; j < v.length; j++) v[j] /= h.length;
        }
        double n = Math.sqrt(Arrays.stream(v).map(x -> x * x).sum());
        float[] out = new float[v.length];
        for (int j = 0; j < v.length; j++) out[j] = (float) (v[j] / n);
        return out;
    }

    static double norm(float[] v) {
        double s = 0;
        for (float x : v) s += (double) x * x;
        return Math.sqrt(s);
    }
}
