package dev.mlm4j.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.config.Batch;
import dev.mlm4j.hub.ModelCache;
import dev.mlm4j.model.BertForMaskedLM;
import dev.mlm4j.model.Checkpoint;
import dev.mlm4j.model.EncoderOutput;
import dev.mlm4j.model.ForwardOptions;
import dev.mlm4j.model.Task;
import dev.mlm4j.tensor.FloatTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model the hub unpacked gets its linear weights packed once into a cache file beside it; a load from that file
 * computes exactly what a load from the checkpoint computes (transformers' outputs in fixtures/hf-tiny-bert/expected.json,
 * see {@link HuggingFaceFolderTest}), a changed checkpoint makes the file stale, and a damaged file is never believed.
 */
class PackedWeightsCacheTest {

    /** hf-tiny-bert copied into {@code dir} with the hub's completion marker, as the model cache unpacks a model. */
    private static Path hubFolder(Path dir) throws IOException {
        Path folder = dir.resolve("hf-tiny-bert");
        Files.createDirectories(folder);
        try (var files = Files.list(HuggingFaceFolderTest.fixture())) {
            for (Path f : files.toList()) Files.copy(f, folder.resolve(f.getFileName()));
        }
        Files.writeString(folder.resolve(ModelCache.MARKER), "test\n");
        return folder;
    }

    private static List<Path> cacheFiles(Path folder) throws IOException {
        try (var files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().startsWith(".mlm4j-packed-")).toList();
        }
    }

    /** The logits of the fixture's sentences, checked against transformers' to float32 accuracy. */
    private static float[] logits(Path folder) throws IOException {
        JsonNode expected = new ObjectMapper().readTree(HuggingFaceFolderTest.fixture().resolve("expected.json").toFile());
        float[] all = new float[0];
        try (Checkpoint c = Checkpoint.open(folder)) {
            BertForMaskedLM model = (BertForMaskedLM) c.load(Task.MASKED_LM).orElseThrow();
            for (JsonNode s : expected.get("sentences")) {
                int[] ids = c.tokenizer().encode(s.get("text").asText()).ids();
                EncoderOutput out = model.bert().forward(Batch.of(new int[][] {ids}, null), ForwardOptions.DEFAULT);
                int[] rows = new int[ids.length];
                for (int i = 0; i < rows.length; i++) rows[i] = i;
                FloatTensor logits = model.logits(out, rows);
                HuggingFaceFolderTest.compare("logits", s.get("logits"), logits, 1e-5);
                float[] l = logits.toArray();
                int at = all.length;
                all = Arrays.copyOf(all, at + l.length);
                System.arraycopy(l, 0, all, at, l.length);
            }
        }
        return all;
    }

    @Test
    void aHubModelIsPackedOnceAndComputesTheSameFromTheCache(@TempDir Path dir) throws IOException {
        Path folder = hubFolder(dir);
        float[] fromCheckpoint = logits(HuggingFaceFolderTest.fixture()); // no marker: no cache beside the test resources
        assertTrue(cacheFiles(HuggingFaceFolderTest.fixture()).isEmpty(), "a folder the hub did not unpack is left as it is");

        assertArrayEquals(fromCheckpoint, logits(folder), "first load: packed from the checkpoint, cache written");
        List<Path> caches = cacheFiles(folder);
        assertEquals(1, caches.size(), caches.toString());
        Path cache = caches.get(0);
        byte[] written = Files.readAllBytes(cache);
        FileTime writtenAt = Files.getLastModifiedTime(cache);

        assertArrayEquals(fromCheckpoint, logits(folder), "second load: from the cache, bit for bit the same logits");
        assertArrayEquals(written, Files.readAllBytes(cache), "a cache that served every weight is not rewritten");
        assertEquals(writtenAt, Files.getLastModifiedTime(cache));
    }

    @Test
    void aChangedCheckpointMakesTheCacheStale(@TempDir Path dir) throws IOException {
        Path folder = hubFolder(dir);
        float[] before = logits(folder);
        Path cache = cacheFiles(folder).get(0);
        byte[] written = Files.readAllBytes(cache);
        // the weights replaced by the same bytes at another time: the fingerprint (size, mtime) changes
        Path weights = folder.resolve("model.safetensors");
        Files.setLastModifiedTime(weights, FileTime.fromMillis(Files.getLastModifiedTime(weights).toMillis() + 60_000));
        assertArrayEquals(before, logits(folder));
        assertFalse(Arrays.equals(written, Files.readAllBytes(cache)), "rewritten for the changed checkpoint");
    }

    @Test
    void aCorruptOrTruncatedCacheIsIgnoredAndRewritten(@TempDir Path dir) throws IOException {
        Path folder = hubFolder(dir);
        float[] expected = logits(folder);
        Path cache = cacheFiles(folder).get(0);
        byte[] good = Files.readAllBytes(cache);
        // a bit flipped in the last matrix's last float (the file ends with it), then one in the header
        for (int at : new int[] {good.length - 2, 30}) {
            try (RandomAccessFile f = new RandomAccessFile(cache.toFile(), "rw")) {
                f.seek(at);
                f.write(good[at] ^ 0x40);
            }
            assertArrayEquals(expected, logits(folder), "a damaged cache (byte " + at + ") never changes an answer");
            assertArrayEquals(good, Files.readAllBytes(cache), "rewritten: the same bytes as the first time");
        }
        try (RandomAccessFile f = new RandomAccessFile(cache.toFile(), "rw")) {
            f.setLength(good.length / 3);
        }
        assertArrayEquals(expected, logits(folder), "a truncated cache never changes an answer");
        assertArrayEquals(good, Files.readAllBytes(cache), "rewritten after truncation");
    }

    @Test
    void turnedOffByAProperty(@TempDir Path dir) throws IOException {
        Path folder = hubFolder(dir);
        System.setProperty("mlm4j.packedCache", "false");
        try {
            logits(folder);
        } finally {
            System.clearProperty("mlm4j.packedCache");
        }
        assertTrue(cacheFiles(folder).isEmpty());
    }
}
