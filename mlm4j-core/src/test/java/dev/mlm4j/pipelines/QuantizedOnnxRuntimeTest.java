package dev.mlm4j.pipelines;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.mlm4j.model.TestModels;
import dev.mlm4j.pipelines.FeatureExtraction.Embedding;
import dev.mlm4j.pipelines.FeatureExtraction.Options;
import dev.mlm4j.tokens.Encoding;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The int8-quantized ONNX files of LangChain4j's {@code -q} artifacts (onnxruntime's dynamic quantization: INT8
 * weights with a scale per output column run by MatMulInteger, UINT8 embedding tables through DequantizeLinear)
 * against ONNX Runtime running the same file. mlm4j reads the weights dequantized, {@code (q − zero point) · scale},
 * and runs them in float32; ORT also quantizes every linear layer's input at run time (DynamicQuantizeLinear: one
 * uint8 scale per tensor), so the two differ by that activation rounding, not by float error. Measured on the texts
 * of {@link FeatureExtractionOnnxRuntimeTest} (Chinese ones for bge-small-zh), each run alone by ORT, on
 * ORT 1.23.2 (2026-12-02): pooled-vector cosine min / mean 0.9863 / 0.9933 (all-MiniLM-L6-v2-q), 0.9924 / 0.9973
 * (bge-small-en-v1.5-q), 0.9962 / 0.9980 (e5-small-v2-q), 0.9859 / 0.9956 (bge-small-zh-v1.5-q); token vectors
 * max |diff| 0.56 to 1.16, mean |diff| 0.025 to 0.041. The bounds asserted (every text's cosine at least 0.98,
 * the mean at least 0.99) are those measurements with a little room; the files are pinned by version, so they
 * only move if ORT's int8 kernels or mlm4j's arithmetic do.
 */
class QuantizedOnnxRuntimeTest {

    @ParameterizedTest
    @CsvSource({"all-MiniLM-L6-v2-q, MEAN", "bge-small-en-v1.5-q, CLS", "e5-small-v2-q, MEAN", "bge-small-zh-v1.5-q, CLS"})
    void quantizedFilesMatchOnnxRuntimeWithinItsActivationRounding(String name, Pooling cardPooling) throws OrtException {
        FeatureExtraction fe = Models.embeddings(TestModels.folder(name).toString());
        assertEquals(cardPooling, fe.defaultPooling(), "pooling from the card");
        List<String> texts = name.startsWith("bge-small-zh") ? EmbeddingTexts.chinese(fe.tokenizer()) : EmbeddingTexts.varied(fe.tokenizer());
        Options options = Options.DEFAULT.withTruncate(true).withMaxLength(512).withBatchTokens(1500);
        List<Embedding> tokens = fe.extract(texts, options.withPooling(Pooling.NONE));
        List<Embedding> pooled = fe.extract(texts, options);

        double maxDiff = 0, sumDiff = 0, minCos = 1, sumCos = 0;
        long count = 0;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions();
             OrtSession session = env.createSession(TestModels.folder(name).resolve("model.onnx").toString(), so)) {
            for (int t = 0; t < texts.size(); t++) {
                Encoding e = tokens.get(t).encoding();
                float[][] ort = FeatureExtractionOnnxRuntimeTest.lastHiddenState(env, session, e);
                float[][] ours = tokens.get(t).tokenVectors();
                assertEquals(ort.length, ours.length, "text " + t + ": tokens");
                for (int i = 0; i < ort.length; i++) {
                    for (int j = 0; j < ort[i].length; j++) {
                        double d = Math.abs(ort[i][j] - ours[i][j]);
                        maxDiff = Math.max(maxDiff, d);
                        sumDiff += d;
                        count++;
                    }
                }
                double cos = Similarity.cosine(FeatureExtractionOnnxRuntimeTest.pool(ort, cardPooling), pooled.get(t).vector());
                minCos = Math.min(minCos, cos);
                sumCos += cos;
                assertTrue(cos >= 0.98, name + " text " + t + ": cosine " + cos + " with ORT's pooled vector");
            }
        }
        System.out.printf(Locale.ROOT, "%s vs ONNX Runtime on the same int8 file, %d texts: token vectors max |diff| %.4g, mean |diff| %.3g;"
                        + " pooled vectors min cosine %.6f, mean cosine %.6f%n",
                name, texts.size(), maxDiff, sumDiff / count, minCos, sumCos / texts.size());
        assertTrue(sumCos / texts.size() >= 0.99, name + ": mean cosine " + sumCos / texts.size());
    }
}
