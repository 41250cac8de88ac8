package dev.mlm4j.cli;

import dev.mlm4j.pipelines.Models;
import dev.mlm4j.util.ProgressListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ./mlm4j convert, and the round trips the issue asks for: the converted folder answers exactly as the source. */
class ConvertCommandTest {
    @TempDir Path tmp;

    /**
     * The output of {@code args}, run twice: the first run is the JVM's first (cold, interpreted kernels), the second
     * warm; they must print the same bytes (the kernels are deterministic across JIT tiers: VectorMath), so a
     * difference is a bug this test reports rather than retries away.
     */
    private static String deterministic(String... args) {
        Supplier<String> run = () -> {
            var r = CliRunner.run(args);
            assertEquals(0, r.exit(), r.err());
            return r.out();
        };
        String first = run.get(), second = run.get();
        assertEquals(first, second, "the same command printed different output on its second run");
        return first;
    }

    @Test
    void convertedBertBaseUncasedFillsMasksWithTheSameNumbers() {
        Path out = tmp.resolve("converted/bert");
        var r = CliRunner.run("convert", "bert-base-uncased", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("wrote " + out + ": BertForMaskedLM, 12 layers, hidden 768, 110.1M parameters in 204 tensors"), r.out());
        String[] texts = {"Paris is the [MASK] of France.", "The man worked as a [MASK].", "Happiness is [MASK]."};
        String original = deterministic(concat(new String[] {"fill-mask", "--json", "--top-k", "10"}, texts));
        var converted = CliRunner.run(concat(new String[] {"fill-mask", "--json", "--top-k", "10", "--model", out.toString()}, texts));
        assertEquals(0, converted.exit(), converted.err());
        assertEquals(original, converted.out());
        assertTrue(original.contains("\"token_str\" : \"capital\""), original);
    }

    @Test
    void convertedMiniLmEmbedsIdentically() {
        Path out = tmp.resolve("minilm");
        var r = CliRunner.run("convert", "all-MiniLM-L6-v2", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("left out: bert.embeddings.position_ids (I64)"), r.out());
        String[] texts = {"A man is playing a guitar.", "Someone plays an instrument.", "The stock market fell."};
        String original = deterministic(concat(new String[] {"embed"}, texts));
        var converted = CliRunner.run(concat(new String[] {"embed", "--model", out.toString()}, texts));
        assertEquals(original, converted.out());

        r = CliRunner.run("convert", "all-MiniLM-L6-v2", out.toString());
        assertEquals(1, r.exit());
        assertEquals("mlm4j: " + out + " is not empty; use --force to replace it\n", r.err());
        r = CliRunner.run("convert", "--force", "bge-small-en-v1.5", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("12 layers"), r.out());
    }

    /**
     * A RoBERTa folder (the committed fixture families/roberta-tiny, written by transformers through
     * scripts/reference/families/encoders.py): converted, it is the same Hugging Face folder (config.json and
     * model.safetensors byte for byte), and fill-mask with {@code <mask>} prints the same bytes on both.
     */
    @Test
    void convertedRobertaFolderFillsMasksIdentically() throws IOException {
        Path source = Path.of("../mlm4j-core/src/test/resources/families/roberta-tiny");
        Path out = tmp.resolve("roberta");
        var r = CliRunner.run("convert", source.toString(), out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("wrote " + out + ": RobertaForMaskedLM, 2 layers, hidden 32, "), r.out());
        assertTrue(r.out().contains("config.json, model.safetensors ("), r.out());
        assertFalse(r.out().contains("left out"), r.out());
        for (String f : new String[] {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"}) {
            assertEquals(-1L, Files.mismatch(source.resolve(f), out.resolve(f)), f);
        }
        String[] texts = {"The capital of France is <mask>.", "If we return to them today, we have no <mask> spotting their weaknesses."};
        String original = deterministic(concat(new String[] {"fill-mask", "--json", "--model", source.toString()}, texts));
        var converted = CliRunner.run(concat(new String[] {"fill-mask", "--json", "--model", out.toString()}, texts));
        assertEquals(0, converted.exit(), converted.err());
        assertEquals(original, converted.out());
        assertTrue(original.contains("\"token\" : 562"), original);   // transformers' top token for both (expected.json fill_mask)
    }

    @Test
    void brokenModelsAreOneLineErrorsAndLeaveNothingBehind() throws IOException {
        // a config.json whose sizes disagree with the weights
        Path good = tmp.resolve("good");
        assertEquals(0, CliRunner.run("convert", "all-MiniLM-L6-v2", good.toString()).exit());
        Path config = good.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"num_hidden_layers\" : 6", "\"num_hidden_layers\" : 5"));
        var r = CliRunner.run("embed", "--model", good.toString(), "hello");
        assertEquals(1, r.exit());
        assertOneLine(r.err(), "config.json says num_hidden_layers = 5 but the weights in " + good.resolve("model.safetensors") + " have 6");
        r = CliRunner.run("convert", good.toString(), tmp.resolve("out").toString());
        assertEquals(1, r.exit());
        assertOneLine(r.err(), "config.json says num_hidden_layers = 5");

        // a safetensors header claiming a terabyte
        ByteBuffer b = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN).putLong(1_000_000_000_000L).put((byte) '{').put((byte) '}');
        Files.write(good.resolve("model.safetensors"), b.array());
        r = CliRunner.run("convert", good.toString(), tmp.resolve("out").toString());
        assertEquals(1, r.exit());
        assertOneLine(r.err(), "declares a header of 1000000000000 bytes");
        r = CliRunner.run("similarity", "--model", good.toString(), "a", "b");
        assertEquals(1, r.exit());
        assertOneLine(r.err(), "declares a header of 1000000000000 bytes");

        // a truncated ONNX file
        Path onnx = Files.createDirectories(tmp.resolve("onnx"));
        byte[] model = Files.readAllBytes(Models.resolve("all-MiniLM-L6-v2", ProgressListener.NONE).resolve("model.onnx"));
        Files.write(onnx.resolve("model.onnx"), Arrays.copyOf(model, model.length / 2));
        Files.writeString(onnx.resolve("tokenizer.json"), "{}");
        r = CliRunner.run("convert", onnx.toString(), tmp.resolve("out").toString());
        assertEquals(1, r.exit());
        assertOneLine(r.err(), onnx.resolve("model.onnx").toString());

        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(0, s.filter(p -> p.getFileName().toString().contains("out")).count(), "no output folder, no temporary one");
        }
    }

    /**
     * convert --head: all-MiniLM-L6-v2 plus the rerank demo head of mlm4j-core's task fixtures is a cross-encoder whose
     * logit for (query, passage) is transformers' (expected.json, recorded on the same assembled folder).
     */
    @Test
    void aHeadMakesATaskModelThatScoresAsTransformers() {
        Path head = Path.of("..", "mlm4j-core", "src", "test", "resources", "tasks", "pretrained", "rerank-all-MiniLM-L6-v2");
        Path out = tmp.resolve("rerank");
        var r = CliRunner.run("convert", "all-MiniLM-L6-v2", out.toString(), "--head", head.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("wrote " + out + ": BertForSequenceClassification, 6 layers, hidden 384, 22.7M parameters in 105 tensors\n"
                + "  files: config.json, model.safetensors (90.9 MB), tokenizer.json, tokenizer_config.json\n"
                + "  left out: bert.embeddings.position_ids (I64)\n", r.out());
        r = CliRunner.run("classify", "-m", out.toString(), "--function", "none", "--json", "How tall is the Eiffel Tower?",
                "--pair", "The Eiffel Tower is 330 metres tall.");
        assertEquals(0, r.exit(), r.err());
        // expected.json, case 0: logits[0] = 2.7428157329559326 (CrossEncoder.predict, checked against plain transformers)
        double score = Double.parseDouble(r.out().replaceAll("(?s).*\"score\" : ([-0-9.eE]+).*", "$1"));
        assertEquals(2.7428157329559326, score, 1e-4, r.out());

        Path missing = tmp.resolve("no-head");
        r = CliRunner.run("convert", "all-MiniLM-L6-v2", tmp.resolve("out").toString(), "--head", missing.toString());
        assertEquals(1, r.exit());
        assertOneLine(r.err(), "no such head folder: " + missing + " (a head folder holds head.safetensors and config-fragment.json)");
        Path bert = Path.of("..", "mlm4j-core", "src", "test", "resources", "tasks", "pretrained", "sentiment-bert-base-uncased");
        r = CliRunner.run("convert", "all-MiniLM-L6-v2", tmp.resolve("out").toString(), "--head", bert.toString());
        assertEquals(1, r.exit());
        assertOneLine(r.err(), "classifier.weight is [2, 768] but the hidden size of ");
        assertOneLine(r.err(), " is 384: the head was made for another encoder");
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    private static void assertOneLine(String err, String expected) {
        assertTrue(err.startsWith("mlm4j: ") && err.endsWith("\n") && err.indexOf('\n') == err.length() - 1, "one line: " + err);
        assertTrue(err.contains(expected), "expected '" + expected + "' in: " + err);
        assertFalse(err.contains("internal error") || err.contains("Exception"), err);
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
