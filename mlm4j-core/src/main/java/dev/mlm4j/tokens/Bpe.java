package dev.mlm4j.tokens;

import java.util.HashMap;
import java.util.Map;

/**
 * Hugging Face's BPE model ({@code tokenizers/src/models/bpe/}): a word starts as its characters (with the
 * continuing-subword prefix / end-of-word suffix where configured; unknown characters become bytes
 * {@code <0xNN>} with {@code byte_fallback}, else the unknown token, fused when {@code fuse_unk}, else are
 * dropped), then the adjacent pair of lowest merge rank is merged, leftmost first, until no pair has a merge.
 * Dropout is not supported (it makes tokenization random).
 */
final class Bpe extends TableModel {

    private final Map<Long, long[]> merges;  // (left id, right id) → {rank, merged id}
    private final String unkToken;           // null: unknown characters are dropped
    private final String prefix;             // continuing_subword_prefix, "" for none
    private final String suffix;             // end_of_word_suffix, "" for none
    private final boolean fuseUnk;
    private final boolean byteFallback;
    private final boolean ignoreMerges;

    Bpe(Map<String, Integer> vocab, String[] idToToken, java.util.List<String[]> mergePairs, String unkToken,
        String prefix, String suffix, boolean fuseUnk, boolean byteFallback, boolean ignoreMerges) {
        super(vocab, idToToken, unkToken == null ? -1 : vocab.getOrDefault(unkToken, -1));
        this.unkToken = unkToken;
        this.prefix = prefix == null ? "" : prefix;
        this.suffix = suffix == null ? "" : suffix;
        this.fuseUnk = fuseUnk;
        this.byteFallback = byteFallback;
        this.ignoreMerges = ignoreMerges;
        this.merges = new HashMap<>(mergePairs.size() * 2);
        int prefixLength = this.prefix.length();
        for (int rank = 0; rank < mergePairs.size(); rank++) {
            String[] p = mergePairs.get(rank);
            Integer a = vocab.get(p[0]);
            Integer b = vocab.get(p[1]);
            if (a == null || b == null) {
                throw new IllegalArgumentException("BPE merge " + (rank + 1) + " '" + p[0] + " " + p[1]
                        + "' uses a token missing from the vocabulary");
            }
            String right = p[1].startsWith(this.prefix) ? p[1].substring(prefixLength) : p[1];
            Integer merged = vocab.get(p[0] + right);
            if (merged == null) {
                throw new IllegalArgumentException("BPE merge " + (rank + 1) + " '" + p[0] + " " + p[1]
                        + "' makes a token missing from the vocabulary");
            }
            merges.putIfAbsent(key(a, b), new long[] {rank, merged});
        }
    }

    private static long key(int a, int b) {
        return ((long) a << 32) | (b & 0xFFFFFFFFL);
    }

    @Override
    public void tokenize(AlignedText word, TokenList out) {
        int n = word.length;
        if (n == 0) {
            return;
        }
        if (ignoreMerges) {
            Integer id = vocab.get(word.toString());
            if (id != null) {
                Model.add(out, id, idToToken[id], word, 0, n);
                return;
            }
        }
        // symbols: id, and the code point range [from, to) of the word they cover
        int[] ids = new int[2 * n];
        int[] from = new int[2 * n];
        int[] to = new int[2 * n];
        int m = 0;
        int pendingUnk = -1;  // index of the last symbol when it is an unknown token (for fuse_unk)
        for (int i = 0; i < n; i++) {
            String c = new String(word.cps, i, 1);
            if (i > 0) {
                c = prefix + c;
            }
            if (i == n - 1) {
                c = c + suffix;
            }
            Integer id = vocab.get(c);
            if (id != null) {
                ids[m] = id;
                from[m] = i;
                to[m++] = i + 1;
                pendingUnk = -1;
                continue;
            }
            if (byteFallback) {
                byte[] buf = new byte[4];
                int nb = ByteLevel.utf8(word.cps[i], buf);
                int[] byteIds = new int[nb];
                boolean all = true;
                for (int k = 0; k < nb && all; k++) {
                    Integer b = vocab.get(String.format("<0x%02X>", buf[k] & 0xFF));
                    all = b != null;
                    byteIds[k] = all ? b : -1;
                }
                if (all) {
                    if (ids.length < m + nb + n) {
                        ids = java.util.Arrays.copyOf(ids, ids.length + 4 * n);
                        from = java.util.Arrays.copyOf(from, ids.length);
                        to = java.util.Arrays.copyOf(to, ids.length);
                    }
                    for (int b : byteIds) {
                        ids[m] = b;
                        from[m] = i;
                        to[m++] = i + 1;
                    }
                    pendingUnk = -1;
                    continue;
                }
            }
            if (unkId < 0) {
                continue;  // no unknown token: the character is dropped
            }
            if (fuseUnk && pendingUnk >= 0) {
                to[pendingUnk] = i + 1;
                continue;
            }
            ids[m] = unkId;
            from[m] = i;
            to[m] = i + 1;
            pendingUnk = m++;
        }
        // merge the lowest-ranked adjacent pair, leftmost first, until none is left
        while (m > 1) {
            long bestRank = Long.MAX_VALUE;
            int best = -1;
            long bestId = 0;
            for (int k = 0; k + 1 < m; k++) {
                long[] r = merges.get(key(ids[k], ids[k + 1]));
                if (r != null && r[0] < bestRank) {
                    bestRank = r[0];
                    best = k;
                    bestId = r[1];
                }
            }
            if (best < 0) {
                break;
            }
            ids[best] = (int) bestId;
            to[best] = to[best + 1];
            System.arraycopy(ids, best + 2, ids, best + 1, m - best - 2);
            System.arraycopy(from, best + 2, from, best + 1, m - best - 2);
            System.arraycopy(to, best + 2, to, best + 1, m - best - 2);
            m--;
        }
        for (int k = 0; k < m; k++) {
            Model.add(out, ids[k], idToToken[ids[k]], word, from[k], to[k]);
        }
    }

    String unkToken() {
        return unkToken;
    }
}
