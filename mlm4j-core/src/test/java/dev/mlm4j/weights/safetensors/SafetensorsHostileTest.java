package dev.mlm4j.weights.safetensors;

import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.WeightException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Headers are untrusted input: each corrupt or hostile file must fail at open with a message naming
 * what is wrong, and without allocating what the header claims (the test JVM would die of a 10^12-byte
 * claim long before an assertion could fail).
 */
class SafetensorsHostileTest {
    @TempDir
    Path dir;

    private String failure(byte[] bytes) {
        Path file = HandMade.write(dir.resolve("hostile.safetensors"), bytes);
        String m = assertThrows(WeightException.class, () -> SafetensorsCheckpoint.open(file).close()).getMessage();
        assertTrue(m.contains(file.toString()), "names the file: " + m);
        return m;
    }

    private String failure(String header, byte[] data) {
        return failure(HandMade.file(header, data));
    }

    private static void assertContains(String message, String expected) {
        assertTrue(message.contains(expected), "expected '" + expected + "' in: " + message);
    }

    private static String one(String dtype, String shape, String offsets) {
        return "{\"t\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}}";
    }

    @Test
    void tooShortForTheLength() {
        assertContains(failure(new byte[] {1, 0, 0}), "too short for a safetensors file");
    }

    @Test
    void headerLengthOfATerabyte() {
        assertContains(failure(HandMade.file(1_000_000_000_000L, "{}".getBytes(StandardCharsets.UTF_8), new byte[0])),
                "declares a header of 1000000000000 bytes, over the 100000000-byte limit");
    }

    @Test
    void headerLengthWithTheTopBitSet() {
        assertContains(failure(HandMade.file(-8L, "{}".getBytes(StandardCharsets.UTF_8), new byte[0])), "declares a header of 18446744073709551608 bytes");
    }

    @Test
    void headerLengthPastTheEndOfTheFile() {
        assertContains(failure(HandMade.file(4096, "{}".getBytes(StandardCharsets.UTF_8), new byte[0])),
                "declares a header of 4096 bytes but the file has only 2");
    }

    /** The format allows the header to be padded with spaces (0x20) after its JSON, and nothing else. */
    @Test
    void bytesAfterTheHeadersJson() {
        String good = one("F32", "[1]", "[0,4]");
        assertContains(failure(good + "xyz", HandMade.f32(1f)), "has bytes after its JSON object");
        assertContains(failure(good + "{}", HandMade.f32(1f)), "has bytes after its JSON object");
        assertContains(failure(good + "\n", HandMade.f32(1f)), "has bytes after its JSON object");
        assertContains(failure(good + "\0\0\0\0", HandMade.f32(1f)), "has bytes after its JSON object");
        assertContains(failure(" " + good, HandMade.f32(1f)), "does not begin with '{'");
        Path padded = HandMade.write(dir.resolve("padded.safetensors"), HandMade.file(good + "       ", HandMade.f32(2.5f)));
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(padded)) {
            assertTrue(c.load("t").toArray()[0] == 2.5f, "a header padded with spaces opens");
        }
    }

    @Test
    void badJson() {
        assertContains(failure("{\"t\":{\"dtype\":\"F32\",", new byte[0]), "is not valid JSON");
        assertContains(failure("[1,2,3]", new byte[0]), "does not begin with '{'");
        assertContains(failure("{\"t\":{},\"t\":{}}", new byte[0]), "is not valid JSON: Duplicate field 't'");
    }

    @Test
    void unknownDtype() {
        assertContains(failure(one("F33", "[1]", "[0,4]"), new byte[4]), "tensor 't' has unknown dtype 'F33'");
    }

    @Test
    void shapeAndSizeMismatch() {
        assertContains(failure(one("F32", "[2,2]", "[0,12]"), new byte[12]),
                "tensor 't' has shape [2,2] of F32 (16 bytes) but data_offsets [0,12] span 12");
    }

    @Test
    void negativeOrFractionalDimension() {
        assertContains(failure(one("F32", "[-1]", "[0,0]"), new byte[0]), "invalid dimension -1");
        assertContains(failure(one("F32", "[1.5]", "[0,4]"), new byte[4]), "invalid dimension 1.5");
    }

    @Test
    void shapeProductOverflow() {
        int big = Integer.MAX_VALUE;
        assertContains(failure(one("F32", "[" + big + "," + big + "," + big + "]", "[0,4]"), new byte[4]), "has more elements than a long counts");
        assertContains(failure(one("F64", "[" + big + "," + big + "]", "[0,4]"), new byte[4]), "overflows a byte count");
    }

    @Test
    void tensorClaimingATerabyteOfData() {
        // consistent shape and offsets, but the data is not there: refused before anything is read
        assertContains(failure(one("F32", "[500000,500000]", "[0,1000000000000]"), new byte[16]),
                "data_offsets [0,1000000000000] lie past the end of the data section (16 bytes");
    }

    @Test
    void offsetsPastTheEndOfTruncatedData() {
        assertContains(failure(one("F32", "[4]", "[0,16]"), new byte[10]), "lie past the end of the data section (10 bytes");
    }

    @Test
    void offsetsThatBeginAfterTheyEnd() {
        assertContains(failure(one("F32", "[1]", "[8,4]"), new byte[8]), "begin after they end");
    }

    @Test
    void overlappingTensors() {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        assertContains(failure(h, new byte[12]), "tensors 'a' [0, 8) and 'b' [4, 12) overlap");
    }

    @Test
    void holesAndTrailingBytes() {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        assertContains(failure(h, new byte[12]), "bytes [4, 8) of the data section belong to no tensor");
        assertContains(failure(one("F32", "[1]", "[0,4]"), new byte[8]), "the data section has 8 bytes but the tensors cover 4");
    }

    @Test
    void malformedEntries() {
        assertContains(failure("{\"t\":{\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]), "tensor 't' has no dtype");
        assertContains(failure("{\"t\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", new byte[4]), "tensor 't' has no shape array");
        assertContains(failure(one("F32", "[1]", "[0]"), new byte[4]), "tensor 't' has no data_offsets");
        assertContains(failure(one("F32", "[1]", "[0,\"4\"]"), new byte[4]), "invalid data offset \"4\"");
        assertContains(failure(one("F32", "[1]", "[0,99999999999999999999999]"), new byte[4]), "invalid data offset");
        assertContains(failure("{\"t\":[1,2]}", new byte[0]), "tensor 't' is not described by a JSON object");
        assertContains(failure("{\"__metadata__\":{\"format\":1}}", new byte[0]), "__metadata__ value of 'format' is not a string");
    }

    @Test
    void everyTruncationOfAValidFileIsRefused() throws IOException {
        Path good = dir.resolve("good.safetensors");
        SafetensorsWriter.write(good, Map.of("a", FloatTensor.zeros(3, 5), "b", FloatTensor.zeros(7)), Map.of());
        byte[] all = Files.readAllBytes(good);
        for (int cut = 0; cut < all.length; cut++) {
            failure(Arrays.copyOf(all, cut));
        }
    }

    // ---- shard indexes ------------------------------------------------------------------------

    private Path shardedFolder(String weightMap) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("sharded"));
        HandMade.write(folder.resolve("s1.safetensors"), HandMade.file(one("F32", "[1]", "[0,4]").replace("\"t\"", "\"a\""), HandMade.f32(1)));
        HandMade.write(folder.resolve("s2.safetensors"), HandMade.file(one("F32", "[1]", "[0,4]").replace("\"t\"", "\"b\""), HandMade.f32(2)));
        Files.writeString(folder.resolve("model.safetensors.index.json"), "{\"metadata\":{},\"weight_map\":" + weightMap + "}");
        return folder;
    }

    private static String indexFailure(Path folder) {
        return assertThrows(WeightException.class, () -> SafetensorsCheckpoint.open(folder).close()).getMessage();
    }

    @Test
    void handWrittenShardIndexReads() throws IOException {
        try (SafetensorsCheckpoint st = SafetensorsCheckpoint.open(shardedFolder("{\"a\":\"s1.safetensors\",\"b\":\"s2.safetensors\"}"))) {
            assertTrue(st.load("a").get(0) == 1f && st.load("b").get(0) == 2f);
        }
    }

    @Test
    void shardIndexErrors() throws IOException {
        assertContains(indexFailure(shardedFolder("{\"a\":\"s1.safetensors\",\"b\":\"../s2.safetensors\"}")), "which is not a file name beside the index");
        assertContains(indexFailure(shardedFolder("{\"a\":\"s1.safetensors\",\"b\":\"s3.safetensors\"}")), "lists shard s3.safetensors, which is not in");
        assertContains(indexFailure(shardedFolder("{\"a\":\"s1.safetensors\",\"b\":\"s1.safetensors\"}")), "puts 'b' in s1.safetensors, but no shard holds it");
        assertContains(indexFailure(shardedFolder("{\"a\":\"s2.safetensors\",\"b\":\"s2.safetensors\"}")), "puts 'a' in s2.safetensors, but no shard holds it");
        assertContains(indexFailure(shardedFolder("[]")), "has no \"weight_map\" object");
        Path folder = shardedFolder("{\"a\":\"s1.safetensors\",\"b\":\"s2.safetensors\"}");
        HandMade.write(folder.resolve("s2.safetensors"), HandMade.file(one("F32", "[1]", "[0,4]").replace("\"t\"", "\"a\""), HandMade.f32(2)));
        assertContains(indexFailure(folder), "'a' in s1.safetensors and 'a' in s2.safetensors are both 'a'");
    }
}
