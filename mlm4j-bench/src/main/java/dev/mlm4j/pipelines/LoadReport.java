package dev.mlm4j.pipelines;

import dev.mlm4j.config.Precision;
import dev.mlm4j.model.BertForMaskedLM;
import dev.mlm4j.model.Checkpoint;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Loading bert-base-uncased from its unpacked cache in a fresh JVM, and the process's memory after it: run it as the
 * first thing in a new JVM (scripts/bench does). Prints the time of {@code Models.fillMask} and, in a second pass on
 * a fresh cache key, where it goes (resolve, open, read + pack, tokenizer); then VmRSS / RssAnon / RssFile from
 * /proc/self/status, heap used and committed (as the process stands, then after a System.gc()), whether any of the checkpoint's files is still mapped, all after load
 * and during inference (a 128-token fill-mask), against the size of the weights (the checkpoint's data file).
 * <pre>java [-XX:+UseParallelGC …] -cp benchmarks.jar dev.mlm4j.pipelines.LoadReport [model] [fp32|int8] [phases]</pre>
 */
public final class LoadReport {
    public static void main(String[] args) throws Exception {
        String name = args.length > 0 ? args[0] : "bert-base-uncased";
        Precision precision = args.length > 1 ? Precision.parse(args[1]) : Precision.FP32;
        long jvmUp = ManagementFactory.getRuntimeMXBean().getUptime();
        Path folder = Models.resolve(name, null);
        long weightBytes;
        try (var files = Files.walk(folder)) {
            weightBytes = files.filter(p -> p.toString().contains("variables.data") || p.toString().endsWith(".safetensors") || p.toString().endsWith(".onnx"))
                    .mapToLong(p -> p.toFile().length()).sum();
        }
        System.out.printf(Locale.ROOT, "# LoadReport %s | %s | %s | %s | JVM up %d ms before main's first line | flags %s%n", java.time.Instant.now(), name, precision,
                System.getProperty("java.vm.version"), jvmUp, ManagementFactory.getRuntimeMXBean().getInputArguments());
        if (args.length > 2 && args[2].equals("phases")) {
            phases(name, precision);                // the same steps as Models.fillMask, timed one by one, as the JVM's first load
            memory("after a load by phases (garbage collected)", folder, weightBytes);
            return;
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long c0 = os.getProcessCpuTime(), t0 = System.nanoTime();
        FillMask fm = Models.fillMask(name, null, precision);
        long t1 = System.nanoTime(), c1 = os.getProcessCpuTime();
        System.out.printf(Locale.ROOT, "Models.fillMask(\"%s\"): %.0f ms (first call in a fresh JVM; %.0f ms of CPU time, all threads; load average %s)%n",
                name, (t1 - t0) / 1e6, (c1 - c0) / 1e6, SideBySide.loadavg());
        memory("after load", folder, weightBytes);
        String text = "The Fulton County Grand Jury said Friday an investigation of Atlanta's recent primary election produced "
                + "\"no evidence\" that any irregularities took place. The jury further said in term-end presentments that the "
                + "City Executive Committee, which had over-all charge of the election, deserves the [MASK] of the City of Atlanta "
                + "for the manner in which the election was conducted, and the praise and thanks of the city.";
        long f0 = System.nanoTime();
        var r = fm.fill(text, FillMask.Options.DEFAULT);
        long f1 = System.nanoTime();
        for (int i = 0; i < 20; i++) fm.fill(text, FillMask.Options.DEFAULT);
        long f2 = System.nanoTime();
        fm.fill(text, FillMask.Options.DEFAULT);
        long f3 = System.nanoTime();
        System.out.printf(Locale.ROOT, "fill-mask of %d tokens: first call %.0f ms, after 20 more %.1f ms (top-1 '%s')%n",
                fm.tokenizer().encode(text, 512, false).length(), (f1 - f0) / 1e6, (f3 - f2) / 1e6, r.get(0).predictions().get(0).tokenStr());
        memory("during inference", folder, weightBytes);
    }

    /** Models.fillMask's steps, each timed. */
    static void phases(String name, Precision precision) {
        long p0 = System.nanoTime();
        Path f = Models.resolve(name, null);
        long p1 = System.nanoTime();
        Checkpoint c = Checkpoint.open(f);
        long p2 = System.nanoTime();
        BertForMaskedLM model = (BertForMaskedLM) c.load(dev.mlm4j.model.Task.MASKED_LM, precision).orElseThrow();
        long p3 = System.nanoTime();
        new FillMask(model, c.tokenizer(), c.maxLength());
        c.close();
        long p4 = System.nanoTime();
        System.out.printf(Locale.ROOT, "load by phases (fresh JVM): resolve %.0f ms, Checkpoint.open (index, vocab, tokenizer) %.0f ms, read + pack weights %.0f ms, pipeline + close %.0f ms; total %.0f ms%n",
                (p1 - p0) / 1e6, (p2 - p1) / 1e6, (p3 - p2) / 1e6, (p4 - p3) / 1e6, (p4 - p0) / 1e6);
    }

    static void memory(String when, Path folder, long weightBytes) throws Exception {
        memory0(when, folder, weightBytes);
        System.gc();
        memory0(when + ", after System.gc()", folder, weightBytes);
    }

    private static void memory0(String when, Path folder, long weightBytes) throws Exception {
        List<String> status = Files.readAllLines(Path.of("/proc/self/status"));
        long rss = kb(status, "VmRSS"), anon = kb(status, "RssAnon"), file = kb(status, "RssFile"), hwm = kb(status, "VmHWM");
        long mapped = Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains(folder.toString())).count();
        Runtime rt = Runtime.getRuntime();
        long used = rt.totalMemory() - rt.freeMemory();
        System.out.printf(Locale.ROOT, "%s: VmRSS %d MB (RssAnon %d, RssFile %d; peak VmHWM %d) = %.2f× the weights (%d MB); heap used %d MB of %d MB committed; mappings of %s still open: %d%n",
                when, rss >> 10, anon >> 10, file >> 10, hwm >> 10, (double) (rss << 10) / weightBytes, weightBytes >> 20, used >> 20, rt.totalMemory() >> 20,
                folder.getFileName(), mapped);
    }

    private static long kb(List<String> status, String key) {
        return status.stream().filter(l -> l.startsWith(key + ":")).map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(-1L);
    }
}
