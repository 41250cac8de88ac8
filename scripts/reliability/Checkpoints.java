// A corpus of broken model folders, and what `./mlm4j embed -m FOLDER` makes of each: a clear one-line error (good),
// a stack trace (bad), or exit 0 (loaded anyway: fine for harmless damage, a silent wrong answer otherwise).
// `java Checkpoints.java GOOD_FOLDER OUT_DIR MLM4J` — GOOD_FOLDER is a Hugging Face folder (config.json,
// model.safetensors, tokenizer.json), e.g. from `./mlm4j convert all-MiniLM-L6-v2 DIR`. Bounded: one run per variant.
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

public class Checkpoints {

    static Path good;

    public static void main(String[] args) throws Exception {
        good = Path.of(args[0]);
        Path out = Path.of(args[1]);
        String mlm4j = args[2];
        Map<String, Consumer<Path>> variants = variants();
        int clear = 0, traces = 0, loaded = 0, same = 0;
        List<String> rows = new ArrayList<>();
        byte[] intact = run(mlm4j, good).stdout;
        for (var v : variants.entrySet()) {
            Path dir = out.resolve(v.getKey());
            delete(dir);
            copy(good, dir);
            v.getValue().accept(dir);
            Run r = run(mlm4j, dir);
            byte[] stdout = r.stdout;
            String err = r.stderr;
            int code = r.code;
            boolean trace = err.contains("\tat ") || err.contains("Exception in thread") || err.contains("internal error");
            boolean identical = code == 0 && java.util.Arrays.equals(stdout, intact);
            String kind = trace ? "STACK TRACE" : code == 0 ? (identical ? "loaded, vectors identical to the intact folder's" : "LOADED, DIFFERENT VECTORS")
                    : err.strip().lines().count() == 1 ? "clear error" : "error (" + err.strip().lines().count() + " lines)";
            if (trace) traces++;
            else if (code == 0) loaded++;
            else clear++;
            if (identical) same++;
            String first = err.strip().lines().findFirst().orElse(code == 0 ? "(" + stdout.length + " bytes of vectors)" : "");
            rows.add("| " + v.getKey() + " | " + code + " | " + kind + " | " + first.replace("|", "\\|") + " |");
            System.err.println(v.getKey() + ": " + kind);
        }
        System.out.println("| variant | exit | outcome | first line of stderr |");
        System.out.println("|---|---|---|---|");
        rows.forEach(System.out::println);
        System.out.println();
        System.out.println("variants " + variants.size());
        System.out.println("clear_errors " + clear);
        System.out.println("stack_traces " + traces);
        System.out.println("loaded_exit_0 " + loaded);
        System.out.println("loaded_with_identical_vectors " + same);
    }

    record Run(int code, byte[] stdout, String stderr) {}

    static Run run(String mlm4j, Path dir) throws Exception {
        Process p = new ProcessBuilder(mlm4j, "embed", "-m", dir.toString(), "hello world").start();
        p.getOutputStream().close();
        var errF = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
        byte[] stdout = p.getInputStream().readAllBytes();
        if (!p.waitFor(300, TimeUnit.SECONDS)) p.destroyForcibly();
        String err = errF.get().lines().filter(l -> !l.startsWith("WARNING: Using incubator modules")).reduce("", (a, b) -> a + b + "\n");
        return new Run(p.exitValue(), stdout, err);
    }

    static Map<String, Consumer<Path>> variants() {
        Map<String, Consumer<Path>> m = new LinkedHashMap<>();
        m.put("empty-folder", d -> deleteAll(d));
        m.put("no-config", d -> rm(d.resolve("config.json")));
        m.put("config-empty", d -> write(d.resolve("config.json"), ""));
        m.put("config-not-json", d -> write(d.resolve("config.json"), "{\"hidden_size\": 384,"));
        m.put("config-null", d -> write(d.resolve("config.json"), "null"));
        m.put("config-array", d -> write(d.resolve("config.json"), "[1,2,3]"));
        m.put("config-hidden-size-string", d -> edit(d.resolve("config.json"), "\"hidden_size\" ?: ?384", "\"hidden_size\": \"384\""));
        m.put("config-hidden-size-385", d -> edit(d.resolve("config.json"), "\"hidden_size\" ?: ?384", "\"hidden_size\": 385"));
        m.put("config-layers-0", d -> edit(d.resolve("config.json"), "\"num_hidden_layers\" ?: ?6", "\"num_hidden_layers\": 0"));
        m.put("config-layers-negative", d -> edit(d.resolve("config.json"), "\"num_hidden_layers\" ?: ?6", "\"num_hidden_layers\": -6"));
        m.put("config-layers-1000", d -> edit(d.resolve("config.json"), "\"num_hidden_layers\" ?: ?6", "\"num_hidden_layers\": 1000"));
        m.put("config-heads-5", d -> edit(d.resolve("config.json"), "\"num_attention_heads\" ?: ?12", "\"num_attention_heads\": 5"));
        m.put("config-vocab-1000", d -> edit(d.resolve("config.json"), "\"vocab_size\" ?: ?30522", "\"vocab_size\": 1000"));
        m.put("config-model-type-gpt2", d -> edit(d.resolve("config.json"), "\"model_type\" ?: ?\"bert\"", "\"model_type\": \"gpt2\""));
        m.put("config-relative-key", d -> edit(d.resolve("config.json"), "\"position_embedding_type\" ?: ?\"absolute\"", "\"position_embedding_type\": \"relative_key\""));
        m.put("config-hidden-act-unknown", d -> edit(d.resolve("config.json"), "\"hidden_act\" ?: ?\"gelu\"", "\"hidden_act\": \"swish42\""));
        m.put("no-weights", d -> rm(d.resolve("model.safetensors")));
        m.put("weights-empty", d -> write(d.resolve("model.safetensors"), ""));
        m.put("weights-7-bytes", d -> truncate(d.resolve("model.safetensors"), 7));
        m.put("weights-cut-in-header", d -> truncate(d.resolve("model.safetensors"), 8 + header(d).length / 2));
        m.put("weights-cut-in-data", d -> truncate(d.resolve("model.safetensors"), size(d.resolve("model.safetensors")) / 2));
        m.put("weights-last-byte-missing", d -> truncate(d.resolve("model.safetensors"), size(d.resolve("model.safetensors")) - 1));
        m.put("weights-header-length-huge", d -> patchLong(d, 0, Long.MAX_VALUE));
        m.put("weights-header-length-past-end", d -> patchLong(d, 0, size(d.resolve("model.safetensors")) + 10));
        m.put("weights-header-not-json", d -> rewriteHeader(d, h -> "x" + h.substring(1)));
        m.put("weights-bytes-after-header-json", d -> rewriteHeader(d, h -> h.stripTrailing().replaceAll("}$", "}garbage")));
        m.put("weights-dtype-f64", d -> rewriteHeader(d, h -> h.replaceFirst("\"F32\"", "\"F64\"")));
        m.put("weights-dtype-unknown", d -> rewriteHeader(d, h -> h.replaceFirst("\"F32\"", "\"Q7\"")));
        m.put("weights-shape-wrong", d -> rewriteHeader(d, h -> h.replaceFirst("\"shape\":\\[(\\d+),(\\d+)\\]", "\"shape\":[$2,$1]")));
        m.put("weights-offsets-out-of-range", d -> rewriteHeader(d, h -> h.replaceFirst("\"data_offsets\":\\[(\\d+),(\\d+)\\]", "\"data_offsets\":[$1,999999999999]")));
        m.put("weights-offsets-overlap", d -> rewriteHeader(d, h -> Pattern.compile("\"data_offsets\":\\[([1-9]\\d*),(\\d+)\\]").matcher(h)
                .replaceFirst(r -> "\"data_offsets\":[0," + (Long.parseLong(r.group(2)) - Long.parseLong(r.group(1))) + "]")));
        m.put("weights-tensor-missing", d -> rewriteHeader(d, h -> h.replaceFirst("\"([a-z_.0-9]+)\":\\{\"dtype\"", "\"renamed.$1\":{\"dtype\"")));
        m.put("weights-nan", d -> poke(d, Float.NaN));
        m.put("weights-inf", d -> poke(d, Float.POSITIVE_INFINITY));
        m.put("weights-random-bytes", d -> write(d.resolve("model.safetensors"), "\u0001\u0002garbage".repeat(1000)));
        m.put("weights-is-a-folder", d -> {
            rm(d.resolve("model.safetensors"));
            mkdir(d.resolve("model.safetensors"));
        });
        m.put("no-tokenizer", d -> rm(d.resolve("tokenizer.json")));
        m.put("tokenizer-empty", d -> write(d.resolve("tokenizer.json"), ""));
        m.put("tokenizer-not-json", d -> truncate(d.resolve("tokenizer.json"), 1000));
        m.put("tokenizer-no-model", d -> write(d.resolve("tokenizer.json"), "{\"version\":\"1.0\"}"));
        m.put("tokenizer-unknown-type", d -> edit(d.resolve("tokenizer.json"), "\"type\" ?: ?\"WordPiece\"", "\"type\": \"Unigram\""));
        m.put("tokenizer-config-not-json", d -> write(d.resolve("tokenizer_config.json"), "{"));
        m.put("mlm4j-model-json-broken", d -> write(d.resolve("mlm4j-model.json"), "{"));
        m.put("modules-json-broken", d -> write(d.resolve("modules.json"), "[{"));
        m.put("pooling-config-broken", d -> write(d.resolve("1_Pooling/config.json"), "{\"word_embedding_dimension\": \"x\"}"));
        m.put("pooling-config-no-mode", d -> write(d.resolve("1_Pooling/config.json"), "{}"));
        return m;
    }

    // ---------------------------------------------------------------- file surgery

    static byte[] header(Path d) {
        try {
            byte[] all = Files.readAllBytes(d.resolve("model.safetensors"));
            long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            byte[] h = new byte[(int) n];
            System.arraycopy(all, 8, h, 0, (int) n);
            return h;
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    /** Rewrites the header JSON (padded with spaces to its old length when shorter, so data offsets stay valid). */
    static void rewriteHeader(Path d, java.util.function.UnaryOperator<String> f) {
        try {
            Path p = d.resolve("model.safetensors");
            byte[] all = Files.readAllBytes(p);
            byte[] old = header(d);
            byte[] h = f.apply(new String(old, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
            if (h.length < old.length) {
                byte[] padded = new byte[old.length];
                java.util.Arrays.fill(padded, (byte) ' ');
                System.arraycopy(h, 0, padded, 0, h.length);
                h = padded;
            }
            ByteBuffer out = ByteBuffer.allocate(8 + h.length + all.length - 8 - old.length).order(ByteOrder.LITTLE_ENDIAN);
            out.putLong(h.length).put(h).put(all, 8 + old.length, all.length - 8 - old.length);
            Files.write(p, out.array());
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    /** Writes {@code value} over the first float of the first F32 tensor's data. */
    static void poke(Path d, float value) {
        String h = new String(header(d), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("\"dtype\":\"F32\",\"shape\":\\[[0-9,]*\\],\"data_offsets\":\\[(\\d+),").matcher(h);
        if (!m.find()) throw new IllegalStateException("no F32 tensor in " + h.substring(0, 200));
        long at = 8 + header(d).length + Long.parseLong(m.group(1));
        try (var ch = java.nio.channels.FileChannel.open(d.resolve("model.safetensors"), java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, value), at);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    static void patchLong(Path d, long at, long value) {
        try (var ch = java.nio.channels.FileChannel.open(d.resolve("model.safetensors"), java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, value), at);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    static void edit(Path f, String regex, String replacement) {
        try {
            String s = Files.readString(f);
            String t = s.replaceFirst(regex, Matcher.quoteReplacement(replacement));
            if (t.equals(s)) throw new IllegalStateException(regex + " not found in " + f);
            Files.writeString(f, t);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    static void truncate(Path f, long size) {
        try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(size);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    static long size(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    static void write(Path f, String s) {
        try {
            Files.createDirectories(f.getParent());
            Files.writeString(f, s);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    static void rm(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    static void mkdir(Path f) {
        try {
            Files.createDirectories(f);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    static void deleteAll(Path d) {
        try (Stream<Path> s = Files.list(d)) {
            for (Path p : s.toList()) delete(p);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    static void delete(Path p) {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    static void copy(Path from, Path to) {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path q = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(q);
                else Files.copy(p, q);
            }
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }
}
