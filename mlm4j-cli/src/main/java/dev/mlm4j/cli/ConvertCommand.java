package dev.mlm4j.cli;

import dev.mlm4j.pipelines.Models;
import dev.mlm4j.util.Progress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "convert",
        mixinStandardHelpOptions = true,
        description = {
                "Writes a model as a Hugging Face folder that transformers' from_pretrained and sentence-transformers load as it is:",
                "config.json, model.safetensors (float32), tokenizer.json or vocab.txt + tokenizer_config.json, and mlm4j-model.json",
                "(plus sentence-transformers' modules.json and 1_Pooling for embedding models), so pooling and normalisation carry over.",
                "Example: ./mlm4j convert bert-base-uncased converted/bert && ./mlm4j fill-mask --model converted/bert \"Paris is the [MASK] of France.\"",
                "SOURCE is a model name (see './mlm4j models'), a TensorFlow checkpoint, an .onnx file or a model folder.",
                "A folder of another family (RoBERTa, XLM-RoBERTa, ELECTRA, DistilBERT, DeBERTa-v2/v3, ModernBERT) is already what",
                "transformers wrote: its config.json, safetensors and tokenizer files are copied as they are (an exact round trip).",
                "With --head HEAD_DIR, a task model (text classification, NER, QA…) made of the encoder and a head; see docs/tasks.md.",
                "The folder is written beside OUT_DIR and moved into place when complete; a non-empty OUT_DIR is refused unless --force."
        })
final class ConvertCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "SOURCE", description = "Model name or path.")
    String source;

    @Parameters(index = "1", paramLabel = "OUT_DIR", description = "Folder to create.")
    Path outDir;

    @Option(names = "--head", paramLabel = "HEAD_DIR",
            description = {"Make a task model: the encoder SOURCE plus the head in HEAD_DIR (head.safetensors with its tensors,"
                    + " config-fragment.json with the config.json keys it sets: architectures, id2label, label2id, problem_type).",
                    "Example: ./mlm4j convert bert-base-uncased sentiment-demo --head mlm4j-core/src/test/resources/tasks/pretrained/sentiment-bert-base-uncased"})
    Path head;

    @Option(names = "--force", description = "Replace OUT_DIR if it is not empty (only a model folder: one with config.json or mlm4j-model.json).")
    boolean force;

    @Override
    public Integer call() {
        Models.Conversion r = Models.convert(source, outDir, force, head, Progress.stderr());
        List<String> files = new ArrayList<>();
        for (String f : r.files()) files.add(f + (f.endsWith(".safetensors") ? " (" + Progress.bytes(size(r.folder().resolve(f))) + ")" : ""));
        System.out.printf(Locale.ROOT, "wrote %s: %s, %d layers, hidden %d, %.1fM parameters in %d tensors%n  files: %s%n",
                outDir, r.architecture(), r.layers(), r.hiddenSize(), r.parameters() / 1e6, r.tensors(),
                String.join(", ", files));
        if (!r.leftOut().isEmpty()) System.out.println("  left out: " + String.join("; ", r.leftOut()));
        return 0;
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
