package dev.mlm4j;

import com.fasterxml.jackson.databind.JsonNode;

/** The fixtures' JSON arrays of ids, types and labels as Java arrays (one copy for every test that reads them). */
public final class JsonArrays {
    private JsonArrays() {
    }

    /** {@code [1, 2, 3]} → {@code int[]}. */
    public static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asInt();
        return out;
    }

    /** {@code [[1, 2], [3]]} → {@code int[][]}, rows of any length. */
    public static int[][] intRows(JsonNode rows) {
        int[][] out = new int[rows.size()][];
        for (int i = 0; i < out.length; i++) out[i] = ints(rows.get(i));
        return out;
    }
}
