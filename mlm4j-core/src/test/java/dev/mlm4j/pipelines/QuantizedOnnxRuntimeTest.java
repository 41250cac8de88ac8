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
 * weights with a scale per output column run by MatMulInteger on inputs rounded to uint8 at run time by
 * DynamicQuantizeLinear, UINT8 embedding tables through DequantizeLinear) against ONNX Runtime 1.23.2 running the same
 * file, each text alone. mlm4j reads the weights dequantized (bit for bit ORT's DequantizeLinear:
 * {@code QuantizedWeightsOnnxRuntimeTest}) and rounds each linear layer's input as DynamicQuantizeLinear does
 * ({@code Linear.quantizeInput}), one text per pass.
 *
 * <p>Why not 1e-4: rounding to 256 levels amplifies float differences. A last-bit difference upstream moves a value
 * across a rounding boundary now and then, which changes it by a whole step (~1/255 of the tensor's range), and that
 * spreads through the later layers. ONNX Runtime itself shows it: the same file with and without its graph
 * optimisations (fused kernels, other summation orders) differs by as much. So the yardstick is measured here, on
 * every run: ORT (all optimisations) against ORT (none). Measured 2026-12-02, pooled cosine min / mean:
 * <pre>
 *                         mlm4j vs ORT          ORT vs ORT (opt vs none)   weights only, inputs not rounded
 *   all-MiniLM-L6-v2-q    0.99305 / 0.99845     0.99305 / 0.99923          0.98626 / 0.99334
 *   bge-small-en-v1.5-q   0.99483 / 0.99847     0.98905 / 0.99886          0.99238 / 0.99731
 *   e5-small-v2-q         0.99686 / 0.99854     0.99677 / 0.99890          0.99622 / 0.99804
 *   bge-small-zh-v1.5-q   0.99210 / 0.99880     0.99518 / 0.99945          0.98586 / 0.99555
 * </pre>
 * (token vectors: mean |diff| 0.019 to 0.036 for mlm4j vs ORT, 0.015 to 0.033 for ORT vs ORT). Asserted: every
 * text's cosine with ORT's at least 0.985, the lowest at most 0.005 under ORT-vs-ORT's lowest, and the mean at most
 * 0.002 under ORT-vs-ORT's mean.
 */
class QuantizedOnnxRuntimeTest {

    @ParameterizedTest
    @CsvSource({"all-MiniLM-L6-v2-q, MEAN", "bge-small-en-v1.5-q, CLS", "e5-small-v2-q, MEAN", "bge-small-zh-v1.5-q, CLS"})
    void quantizedFilesAgreeWithOnnxRuntimeAsCloselyAsOnnxRuntimeAgreesWithItself(String name, Pooling cardPooling) throws OrtException {
        FeatureExtraction fe = Models.embeddings(TestModels.folder(name).toString());
        assertEquals(cardPooling, fe.defaultPooling(), "pooling from the card");
        List<String> texts = name.startsWith("bge-small-zh") ? EmbeddingTexts.chinese(fe.tokenizer()) : EmbeddingTexts.varied(fe.tokenizer());
        Options options = Options.DEFAULT.withTruncate(true).withMaxLength(512).withBatchTokens(1500);
        List<Embedding> tokens = fe.extract(texts, options.withPooling(Pooling.NONE));
        List<Embedding> pooled = fe.extract(texts, options);

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Acc vsAll = new Acc(), vsPlain = new Acc(), ortVsOrt = new Acc();
        try (OrtSession.SessionOptions all = new OrtSession.SessionOptions(); OrtSession.SessionOptions plain = new OrtSession.SessionOptions()) {
            plain.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            String file = TestModels.folder(name).resolve("model.onnx").toString();
            try (OrtSession a = env.createSession(file, all); OrtSession b = env.createSession(file, plain)) {
                for (int t = 0; t < texts.size(); t++) {
                    Encoding e = tokens.get(t).encoding();
                    float[][] ortAll = FeatureExtractionOnnxRuntimeTest.lastHiddenState(env, a, e);
                    float[][] ortPlain = FeatureExtractionOnnxRuntimeTest.lastHiddenState(env, b, e);
                    float[][] ours = tokens.get(t).tokenVectors();
                    float[] pooledAll = FeatureExtractionOnnxRuntimeTest.pool(ortAll, cardPooling);
                    float[] pooledPlain = FeatureExtractionOnnxRuntimeTest.pool(ortPlain, cardPooling);
                    vsAll.add(ortAll, ours, pooledAll, pooled.get(t).vector());
                    vsPlain.add(ortPlain, ours, pooledPlain, pooled.get(t).vector());
                    ortVsOrt.add(ortAll, ortPlain, pooledAll, pooledPlain);
                }
            }
        }
        System.out.printf(Locale.ROOT, "%s, %d texts:%n  mlm4j vs ORT (all optimisations): %s%n  mlm4j vs ORT (no optimisations):  %s%n"
                + "  ORT all vs ORT none (same file):   %s%n", name, texts.size(), vsAll, vsPlain, ortVsOrt);
        assertTrue(vsAll.minCos >= 0.985, name + ": lowest cosine with ORT " + vsAll.minCos);
        assertTrue(vsAll.minCos >= ortVsOrt.minCos - 0.005, name + ": lowest cosine with ORT " + vsAll.minCos
                + ", ORT with itself " + ortVsOrt.minCos);
        assertTrue(vsAll.meanCos() >= ortVsOrt.meanCos() - 0.002, name + ": mean cosine with ORT " + vsAll.meanCos()
                + ", ORT with itself " + ortVsOrt.meanCos());
        assertTrue(fe.model().quantizesPerPass(), "an int8 file's model rounds each pass's input");
    }

    /** Differences between two runs over the texts: token vectors and pooled vectors. */
    static final class Acc {
        double maxDiff, sumDiff, minCos = 1, sumCos;
        long count;
        int texts;

        void add(float[][] a, float[][] b, float[] pooledA, float[] pooledB) {
            assertEquals(a.length, b.length, "tokens");
            for (int i = 0; i < a.length; i++) {
                for (int j = 0; j < a[i].length; j++) {
                    double d = Math.abs(a[i][j] - b[i][j]);
                    maxDiff = Math.max(maxDiff, d);
                    sumDiff += d;
                    count++;
                }
            }
            double cos = Similarity.cosine(pooledA, pooledB);
            minCos = Math.min(minCos, cos);
            sumCos += cos;
            texts++;
        }

        double meanCos() {
            return sumCos / texts;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "token vectors max |diff| %.4g, mean |diff| %.3g; pooled cosine min %.7f, mean %.7f",
                    maxDiff, sumDiff / count, minCos, meanCos());
        }
    }
}
