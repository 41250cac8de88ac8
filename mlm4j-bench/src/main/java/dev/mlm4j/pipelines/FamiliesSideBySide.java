package dev.mlm4j.pipelines;

import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Parallel;
import dev.mlm4j.model.Encoder;
import dev.mlm4j.tokens.Tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Each family's forward pass next to ONNX Runtime's, as {@link SideBySide} measures BERT: same JVM, same token ids,
 * alternating (ABBA) rounds, median ms per pass and the ratio. The folders are the full-size random models of
 * scripts/reference/families/full_size.py (RoBERTa, ELECTRA, DeBERTa-v3, ModernBERT, DistilBERT at their base
 * models' shapes, each with its tiny fixture's tokenizer) with the model.onnx that export_onnx.py writes beside
 * model.safetensors (the bare encoder's last hidden state, transformers' eager attention, checked against transformers
 * there). mlm4j loads each folder as every pipeline does ({@link Models#load}: config.json's family, the masked LM's
 * encoder) and runs the packed batch; ORT the padded one.
 *
 * <p>Shapes: 1x128 and 32x128 (Brown text cut to 128 tokens by the family's tokenizer) and brown32, 32 Brown sentences
 * at their natural lengths (padded to the longest for ORT).
 *
 * <pre>java -Dmlm4j.threads=1 -cp benchmarks.jar dev.mlm4j.pipelines.FamiliesSideBySide DIR/roberta,DIR/modernbert,… [rounds]</pre>
 */
public final class FamiliesSideBySide {
    private FamiliesSideBySide() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) throw new IllegalArgumentException("usage: FamiliesSideBySide FOLDER[,FOLDER…] [rounds]");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int threads = Parallel.threads();
        List<String> brown = BenchInputs.brown();
        SideBySide.header("FamiliesSideBySide", threads);
        for (String f : args[0].split(",")) {
            Path folder = Path.of(f);
            Path onnx = folder.resolve("model.onnx");
            if (!Files.isRegularFile(onnx)) throw new IllegalArgumentException(onnx + " is missing: run scripts/reference/families/export_onnx.py");
            Models.Loaded m = Models.load(folder.toString(), null, Precision.FP32);
            Encoder encoder = m.encoder();
            Tokenizer t = m.tokenizer();
            String name = folder.getFileName().toString();
            List<SideBySide.Shape> shapes = List.of(
                    SideBySide.fixed("1x128", t, brown, 1, 128, 200),
                    SideBySide.fixed("32x128", t, brown, 32, 128, 300),
                    new SideBySide.Shape("brown32", BenchInputs.sentences(t, brown, 1000, 32), brown.subList(1000, 1032)));
            List<SideBySide.Engine> engines = new ArrayList<>();
            engines.add(new SideBySide.Ort(onnx, threads));
            engines.add(new SideBySide.Mlm4j("mlm4j", encoder));
            for (SideBySide.Shape s : shapes) {                       // warm-up, as SideBySide's
                for (SideBySide.Engine e : engines) for (int i = 0; i < (s.tokens() > 1000 ? 4 : 30); i++) e.run(s);
            }
            for (SideBySide.Shape s : shapes) SideBySide.measure(name, s, engines, rounds, threads);
            for (SideBySide.Engine e : engines) e.close();
        }
    }
}
