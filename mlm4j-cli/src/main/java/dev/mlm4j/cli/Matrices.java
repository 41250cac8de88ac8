package dev.mlm4j.cli;

import java.util.ArrayList;
import java.util.List;

/** Parses small matrices typed on the command line: rows separated by ';', values by ',' or spaces. */
final class Matrices {
    private Matrices() {}

    static float[][] parse(String what, String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException(what + " is empty");
        String[] rows = text.trim().split("\\s*;\\s*");
        List<float[]> out = new ArrayList<>();
        int cols = -1;
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].isBlank()) throw new IllegalArgumentException(what + ": row " + (i + 1) + " is empty");
            String[] cells = rows[i].trim().split("[,\\s]+");
            if (cols >= 0 && cells.length != cols) {
                throw new IllegalArgumentException(what + " is ragged: row 1 has " + cols + " values, row " + (i + 1) + " has " + cells.length);
            }
            cols = cells.length;
            float[] r = new float[cols];
            for (int j = 0; j < cols; j++) {
                try {
                    r[j] = Float.parseFloat(cells[j]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(what + ": '" + cells[j] + "' (row " + (i + 1) + ") is not a number");
                }
                if (!Float.isFinite(r[j])) {
                    boolean overflow = !cells[j].toLowerCase(java.util.Locale.ROOT).matches("[+-]?(nan|inf|infinity)");
                    throw new IllegalArgumentException(what + ": row " + (i + 1) + (overflow
                            ? " has a value too large for a float (" + cells[j] + "; the largest is about 3.4e38)"
                            : " has a non-finite value (" + cells[j] + ")"));
                }
            }
            out.add(r);
        }
        return out.toArray(new float[0][]);
    }

    static float[][] identity(int d) {
        float[][] m = new float[d][d];
        for (int i = 0; i < d; i++) m[i][i] = 1f;
        return m;
    }

    static String format(float[][] t, int decimals) {
        StringBuilder sb = new StringBuilder();
        for (float[] row : t) {
            sb.append("  [");
            for (int j = 0; j < row.length; j++) {
                if (j > 0) sb.append(", ");
                float v = row[j];
                sb.append(v == Float.NEGATIVE_INFINITY ? "-inf" : String.format(java.util.Locale.ROOT, "%." + decimals + "f", v));
            }
            sb.append("]\n");
        }
        return sb.toString();
    }
}
