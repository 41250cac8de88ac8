package dev.mlm4j.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The tiny task checkpoints of mlm4j-core's test resources (tasks/tiny/, see its README): complete random-initialised
 * Hugging Face folders, each with expected.json holding transformers 5.18's pipeline outputs for its cases
 * (scripts/reference/tasks/make_fixtures.py). Labels, words and offsets compare exactly, scores within 1e-4.
 */
final class TinyTasks {
    private TinyTasks() {}

    static final double TOLERANCE = 1e-4;

    /** A tiny task folder by name (sentiment, ner, …), from the module's directory as surefire runs it. */
    static Path tiny(String name) {
        return Path.of("../mlm4j-core/src/test/resources/tasks/tiny", name).toAbsolutePath().normalize();
    }

    /** The cases of a tiny folder's expected.json, grouped by their kwargs (one stage's settings each), in file order. */
    static Map<JsonNode, List<JsonNode>> casesByKwargs(String name) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(tiny(name).resolve("expected.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<JsonNode, List<JsonNode>> out = new LinkedHashMap<>();
        for (JsonNode c : root.get("cases")) out.computeIfAbsent(c.get("kwargs"), k -> new ArrayList<>()).add(c);
        return out;
    }

    static final StructType ID_TEXT_PAIR = new StructType().add("id", DataTypes.LongType, false)
            .add("text", DataTypes.StringType, true).add("pair", DataTypes.StringType, true);

    /** (id, text, pair) rows, id = position in {@code rows} ({text, pair} each), in {@code partitions} partitions. */
    static Dataset<Row> pairFrame(List<String[]> rows, int partitions) {
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) out.add(RowFactory.create((long) i, rows.get(i)[0], rows.get(i)[1]));
        return SparkTests.spark().createDataFrame(out, ID_TEXT_PAIR).repartition(partitions);
    }

    /** The rows of a result by their id column (the first). */
    static Map<Long, Row> byId(Dataset<Row> out) {
        Map<Long, Row> m = new HashMap<>();
        for (Row r : out.collectAsList()) m.put(r.getLong(0), r);
        return m;
    }

    /** A result struct against a Hugging Face JSON object: the same keys in the same order, strings and ints exactly, doubles within 1e-4. */
    static void assertObject(JsonNode want, Row got, String where) {
        List<String> keys = new ArrayList<>();
        want.fieldNames().forEachRemaining(keys::add);
        assertEquals(keys, List.of(got.schema().fieldNames()), where);
        for (String k : keys) {
            JsonNode w = want.get(k);
            if (w.isTextual()) assertEquals(w.asText(), got.getAs(k), k + " of " + where);
            else if (w.isInt()) assertEquals(w.asInt(), (int) got.<Integer>getAs(k), k + " of " + where);
            else assertEquals(w.asDouble(), got.<Double>getAs(k), TOLERANCE, k + " of " + where);
        }
    }
}
