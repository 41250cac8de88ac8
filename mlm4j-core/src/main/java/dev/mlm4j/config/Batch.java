package dev.mlm4j.config;

import dev.mlm4j.tokens.Encoding;

import java.util.List;

/**
 * Sequences packed end to end, without padding: sequence s occupies rows [offset(s), offset(s) + length(s))
 * of every (tokens, hidden) activation. Dense layers see one (T, hidden) matrix, T = Σ lengths; attention
 * runs per sequence, so no token ever attends across sequences and no work is spent on padding.
 */
public final class Batch {
    private final int[] ids;       // (T)
    private final int[] typeIds;   // (T)
    private final int[] positions; // (T)
    private final int[] offsets;   // (S + 1)

    private Batch(int[] ids, int[] typeIds, int[] positions, int[] offsets) {
        this.ids = ids;
        this.typeIds = typeIds;
        this.positions = positions;
        this.offsets = offsets;
    }

    public static Batch of(List<Encoding> encodings) {
        int[][] ids = new int[encodings.size()][], types = new int[encodings.size()][];
        for (int s = 0; s < ids.length; s++) {
            ids[s] = encodings.get(s).ids();
            types[s] = encodings.get(s).typeIds();
        }
        return of(ids, types);
    }

    public static Batch of(Encoding encoding) {
        return of(List.of(encoding));
    }

    /** From raw ids; {@code typeIds} may be null (all zero). */
    public static Batch of(int[][] ids, int[][] typeIds) {
        if (ids.length == 0) throw new IllegalArgumentException("empty batch: no sequences");
        int[] offsets = new int[ids.length + 1];
        for (int s = 0; s < ids.length; s++) {
            if (ids[s].length == 0) throw new IllegalArgumentException("empty sequence at index " + s);
            if (typeIds != null && typeIds[s] != null && typeIds[s].length != ids[s].length) {
                throw new IllegalArgumentException("sequence " + s + ": " + ids[s].length + " ids but " + typeIds[s].length + " type ids");
            }
            offsets[s + 1] = offsets[s] + ids[s].length;
        }
        int total = offsets[ids.length];
        int[] flat = new int[total], types = new int[total], pos = new int[total];
        for (int s = 0; s < ids.length; s++) {
            System.arraycopy(ids[s], 0, flat, offsets[s], ids[s].length);
            if (typeIds != null && typeIds[s] != null) System.arraycopy(typeIds[s], 0, types, offsets[s], ids[s].length);
            for (int i = 0; i < ids[s].length; i++) pos[offsets[s] + i] = i;
        }
        return new Batch(flat, types, pos, offsets);
    }

    /** Number of sequences. */
    public int size() {
        return offsets.length - 1;
    }

    /** Total tokens T. */
    public int tokens() {
        return ids.length;
    }

    public int offset(int s) {
        return offsets[s];
    }

    public int length(int s) {
        return offsets[s + 1] - offsets[s];
    }

    public int maxLength() {
        int m = 0;
        for (int s = 0; s < size(); s++) m = Math.max(m, length(s));
        return m;
    }

    public int[] ids() {
        return ids;
    }

    public int[] typeIds() {
        return typeIds;
    }

    public int[] positions() {
        return positions;
    }
}
