package dev.mlm4j.hub;

import dev.mlm4j.util.ProgressListener;
import org.apache.maven.settings.Settings;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Resolution against a temp cache and a temp local Maven repository holding small jars built by the test. */
class ModelResolverTest {

    @TempDir Path tmp;
    private Path repo, cacheRoot;
    private ModelResolver resolver;
    private final Map<String, byte[]> tfFiles = TestJars.tfFiles();

    @BeforeEach
    void setUp() throws IOException {
        repo = tmp.resolve("m2");
        cacheRoot = tmp.resolve("cache");
        // offline: everything these tests need is in the temp local repository
        MavenArtifacts maven = new MavenArtifacts(repo, MavenArtifacts.CENTRAL, true, new Settings());
        resolver = new ModelResolver(TestJars.catalog(), new ModelCache(cacheRoot), () -> maven);
    }

    @Test
    void existingPathsPassThrough() throws IOException {
        Path folder = Files.createDirectories(tmp.resolve("my-model"));
        Path file = Files.writeString(tmp.resolve("model.onnx"), "x");
        assertEquals(folder, resolver.resolve(folder.toString(), ProgressListener.NONE));
        assertEquals(file, resolver.resolve(file.toString(), ProgressListener.NONE));
        assertFalse(Files.exists(cacheRoot), "a path must not touch the cache");
    }

    @Test
    void missingPathsAndUnknownNamesSayWhich() {
        IllegalArgumentException path = assertThrows(IllegalArgumentException.class,
                () -> resolver.resolve(tmp.resolve("nope").toString(), ProgressListener.NONE));
        assertEquals("no such model folder: " + tmp.resolve("nope"), path.getMessage());
        assertThrows(IllegalArgumentException.class, () -> resolver.resolve("./nope", ProgressListener.NONE));
        assertThrows(IllegalArgumentException.class, () -> resolver.resolve("model.onnx", ProgressListener.NONE));
        IllegalArgumentException name = assertThrows(IllegalArgumentException.class,
                () -> resolver.resolve("bert-huge", ProgressListener.NONE));
        assertEquals("unknown model 'bert-huge'; known: tiny-bert, tiny-embed (or pass a folder)", name.getMessage());
        assertThrows(IllegalArgumentException.class, () -> resolver.resolve(" ", ProgressListener.NONE));
    }

    @Test
    void unpacksTheNestedTensorflowZipToANeutralLayout() throws IOException {
        byte[] jar = TestJars.tfJar(tfFiles);
        TestJars.install(repo, TestJars.TF_COORDINATES, jar);
        RecordingProgress progress = new RecordingProgress();

        Path folder = resolver.resolve("TINY", progress); // an alias, in another case

        assertEquals(cacheRoot.resolve("tiny-bert"), folder);
        for (String f : List.of("assets/model.json", "assets/vocab.txt", "variables/variables.index",
                "variables/variables.data-00000-of-00001")) {
            assertArrayEquals(tfFiles.get(f), Files.readAllBytes(folder.resolve(f)), f);
        }
        assertFalse(Files.exists(folder.resolve("saved_model.pb")), "the graph is not needed");
        try (Stream<Path> all = Files.walk(folder)) {
            assertEquals(List.of(".mlm4j-complete", "assets", "assets/model.json", "assets/vocab.txt", "mlm4j-model.json",
                            "variables", "variables/variables.data-00000-of-00001", "variables/variables.index"),
                    all.filter(p -> !p.equals(folder)).map(p -> folder.relativize(p).toString()).sorted().toList());
        }
        Properties marker = new Properties();
        try (var in = Files.newInputStream(folder.resolve(ModelCache.MARKER))) {
            marker.load(in);
        }
        assertEquals(TestJars.TF_COORDINATES, marker.getProperty("source"));
        assertEquals(TestJars.hex("SHA-1", jar), marker.getProperty("jar.sha1"));
        assertEquals("3000000", marker.getProperty("file.variables/variables.data-00000-of-00001"));
        ModelCard card = ModelCard.read(folder).orElseThrow();
        assertEquals(TestJars.tfEntry().card(), card);
        assertEquals(List.of("start unpacking tiny-bert " + jar.length, "finish " + jar.length), progress.startsAndFinishes());
        assertTrue(progress.updates > 1, "progress reported along the way");
        assertNoTemporaryFolders();
    }

    @Test
    void unpacksOnnxJarsAtTheRoot() throws IOException {
        byte[] jar = TestJars.onnxJar();
        TestJars.install(repo, TestJars.ONNX_COORDINATES, jar);
        Path folder = resolver.resolve("tiny-embed", ProgressListener.NONE);
        assertEquals(2_000_000, Files.size(folder.resolve("model.onnx")));
        assertTrue(Files.readString(folder.resolve("tokenizer.json")).contains("WordPiece"));
        ModelCard card = ModelCard.read(folder).orElseThrow();
        assertEquals(ModelCard.Pooling.CLS, card.pooling());
        assertEquals(128, card.maxLength());
        assertTrue(Files.readString(folder.resolve(ModelCard.FILE_NAME)).contains("\"pooling\" : \"cls\""));
    }

    @Test
    void aSecondResolveReadsNoJarAndRewritesNothing() throws IOException {
        Path jar = TestJars.install(repo, TestJars.TF_COORDINATES, TestJars.tfJar(tfFiles));
        Path folder = resolver.resolve("tiny-bert", ProgressListener.NONE);
        Path weights = folder.resolve("variables/variables.data-00000-of-00001");
        FileTime before = Files.getLastModifiedTime(weights);
        FileTime markerBefore = Files.getLastModifiedTime(folder.resolve(ModelCache.MARKER));
        Files.delete(jar); // proves the second resolve does not even look at the jar

        RecordingProgress progress = new RecordingProgress();
        long t0 = System.nanoTime();
        assertEquals(folder, resolver.resolve("tiny-bert", progress));
        long micros = (System.nanoTime() - t0) / 1000;

        assertEquals(before, Files.getLastModifiedTime(weights));
        assertEquals(markerBefore, Files.getLastModifiedTime(folder.resolve(ModelCache.MARKER)));
        assertEquals(List.of(), progress.startsAndFinishes());
        System.out.println("second resolve of tiny-bert: " + micros + " µs");
    }

    /**
     * A folder unpacked under an older catalogue (its card says something else, here another pooling) gets this
     * catalogue's card on the next resolve; the weights and the completeness marker are not touched.
     */
    @Test
    void anOutdatedCardIsReplacedByTheCataloguesOnTheNextResolve() throws IOException {
        TestJars.install(repo, TestJars.ONNX_COORDINATES, TestJars.onnxJar());
        Path folder = resolver.resolve("tiny-embed", ProgressListener.NONE);
        Path card = folder.resolve(ModelCard.FILE_NAME);
        String current = Files.readString(card);
        Files.writeString(card, current.replace("\"pooling\" : \"cls\"", "\"pooling\" : \"mean\""));
        assertEquals(ModelCard.Pooling.MEAN, ModelCard.read(folder).orElseThrow().pooling(), "the stale card as an old catalogue wrote it");
        FileTime weights = Files.getLastModifiedTime(folder.resolve("model.onnx"));
        FileTime marker = Files.getLastModifiedTime(folder.resolve(ModelCache.MARKER));

        assertEquals(folder, resolver.resolve("tiny-embed", ProgressListener.NONE));
        assertEquals(current, Files.readString(card));
        assertEquals(ModelCard.Pooling.CLS, ModelCard.read(folder).orElseThrow().pooling());
        assertEquals(weights, Files.getLastModifiedTime(folder.resolve("model.onnx")));
        assertEquals(marker, Files.getLastModifiedTime(folder.resolve(ModelCache.MARKER)));
        assertNoTemporaryFolders();
        try (Stream<Path> s = Files.list(folder)) {
            assertEquals(List.of(), s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList(), "no temporary card left");
        }
    }

    @Test
    void aFailureMidwayLeavesNothingThatLooksComplete() throws IOException {
        byte[] jar = TestJars.tfJar(tfFiles);
        TestJars.install(repo, TestJars.TF_COORDINATES, jar);
        ProgressListener dies = new ProgressListener() {
            @Override public void start(String label, long total) {}
            @Override public void update(long done) {
                if (done > jar.length / 2) throw new IllegalStateException("interrupted at " + done);
            }
            @Override public void finish() {}
        };

        assertThrows(IllegalStateException.class, () -> resolver.resolve("tiny-bert", dies));

        assertFalse(Files.exists(cacheRoot.resolve("tiny-bert")));
        assertNoTemporaryFolders();
        assertTrue(resolver.cached(TestJars.tfEntry()).isEmpty());
        assertEquals(cacheRoot.resolve("tiny-bert"), resolver.resolve("tiny-bert", ProgressListener.NONE)); // and it recovers
    }

    @Test
    void leftoversOfAKilledRunAreNeitherUsedNorKept() throws IOException {
        TestJars.install(repo, TestJars.TF_COORDINATES, TestJars.tfJar(tfFiles));
        // what a kill -9 can leave: a half-written temp folder, and a folder whose files are there but cut short
        Path halfTmp = Files.createDirectories(cacheRoot.resolve(".tiny-bert.tmp-99999-1/variables"));
        Files.write(halfTmp.resolve("variables.data-00000-of-00001"), new byte[1000]);
        Path folder = Files.createDirectories(cacheRoot.resolve("tiny-bert"));
        Files.writeString(folder.resolve("stale.txt"), "from an older, broken unpack");
        ModelEntry entry = TestJars.tfEntry();
        assertTrue(resolver.cached(entry).isEmpty(), "a folder without a marker is not a model");

        resolver.resolve("tiny-bert", ProgressListener.NONE);

        assertTrue(resolver.cached(entry).isPresent());
        assertFalse(Files.exists(folder.resolve("stale.txt")));
        assertNoTemporaryFolders();

        // a marker is not enough: a file cut short (here: truncated after the fact) makes the folder incomplete
        Path weights = folder.resolve("variables/variables.data-00000-of-00001");
        Files.write(weights, new byte[10]);
        assertTrue(resolver.cached(entry).isEmpty());
        resolver.resolve("tiny-bert", ProgressListener.NONE);
        assertEquals(3_000_000, Files.size(weights));
    }

    @Test
    void aJarThatDoesNotMatchItsSha1IsRefused() throws IOException {
        Path jar = TestJars.install(repo, TestJars.TF_COORDINATES, TestJars.tfJar(tfFiles));
        Files.writeString(jar.resolveSibling(jar.getFileName() + ".sha1"), "0123456789abcdef0123456789abcdef01234567  tiny-bert-1.0.jar\n");

        IOException e = assertThrows(IOException.class, () -> resolver.resolve("tiny-bert", ProgressListener.NONE));

        assertTrue(e.getMessage().startsWith("checksum mismatch: " + jar + " has SHA-1 "), e.getMessage());
        assertTrue(e.getMessage().contains("its .sha1 says 0123456789abcdef0123456789abcdef01234567"), e.getMessage());
        assertFalse(Files.exists(cacheRoot.resolve("tiny-bert")));
        assertNoTemporaryFolders();
    }

    @Test
    void aDamagedEntryIsCaughtByItsCrc() throws IOException {
        // flip one byte inside the stored weights of the nested zip, then wrap it in a (deflated) jar entry again
        byte[] nested = nestedZip(tfFiles);
        int at = indexOf(nested, tfFiles.get("variables/variables.data-00000-of-00001")) + 1_500_000;
        nested[at] ^= 0x55;
        byte[] damaged = TestJars.jar(Map.of("META-INF/MANIFEST.MF", new byte[0], TestJars.TF_NESTED, nested));
        Path installed = TestJars.install(repo, TestJars.TF_COORDINATES, damaged); // its .sha1 matches: only the CRC can tell

        IOException e = assertThrows(IOException.class, () -> resolver.resolve("tiny-bert", ProgressListener.NONE));

        assertTrue(e.getMessage().startsWith(installed + " is damaged (invalid entry CRC"), e.getMessage());
        assertFalse(Files.exists(cacheRoot.resolve("tiny-bert")));
        assertNoTemporaryFolders();
    }

    @Test
    void aJarWithoutTheExpectedEntriesSaysSo() throws IOException {
        TestJars.install(repo, TestJars.TF_COORDINATES, TestJars.onnxJar());
        IOException e = assertThrows(IOException.class, () -> resolver.resolve("tiny-bert", ProgressListener.NONE));
        assertTrue(e.getMessage().contains("has no entry " + TestJars.TF_NESTED + "!/assets/model.json"), e.getMessage());
        assertNoTemporaryFolders();
    }

    @Test
    void offlineWithoutTheJarIsOneClearLine() {
        IOException e = assertThrows(IOException.class, () -> resolver.resolve("tiny-embed", ProgressListener.NONE));
        assertEquals(TestJars.ONNX_COORDINATES + " is not in the local Maven repository " + repo.toAbsolutePath()
                + " and downloads are off (offline in settings.xml or MLM4J_OFFLINE); go online once, or fetch it with: "
                + "mvn dependency:get -Dartifact=" + TestJars.ONNX_COORDINATES, e.getMessage());
    }

    @Test
    void concurrentResolvesUnpackOnce() throws Exception {
        TestJars.install(repo, TestJars.TF_COORDINATES, TestJars.tfJar(tfFiles));
        RecordingProgress progress = new RecordingProgress();
        List<Thread> threads = new ArrayList<>();
        List<Path> results = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 4; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    results.add(resolver.resolve("tiny-bert", progress));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        for (Thread t : threads) t.join();
        assertEquals(4, results.size());
        assertEquals(1, progress.starts, "one thread unpacks, the others wait and find it complete");
        assertTrue(results.stream().allMatch(cacheRoot.resolve("tiny-bert")::equals));
        assertNoTemporaryFolders();
    }

    private void assertNoTemporaryFolders() throws IOException {
        if (!Files.exists(cacheRoot)) return;
        try (Stream<Path> s = Files.list(cacheRoot)) {
            List<String> tmps = s.map(p -> p.getFileName().toString()).filter(n -> n.contains(".tmp-")).toList();
            assertEquals(List.of(), tmps);
        }
    }

    private static byte[] nestedZip(Map<String, byte[]> inner) throws IOException {
        byte[] jar = TestJars.tfJar(inner);
        try (var zip = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(jar))) {
            for (var e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                if (e.getName().equals(TestJars.TF_NESTED)) return zip.readAllBytes();
            }
        }
        throw new AssertionError("no nested zip");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < 64; j++) if (haystack[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new AssertionError("not found");
    }

    /** Keeps what a progress listener was told. */
    static final class RecordingProgress implements ProgressListener {
        final List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile int updates, starts;
        volatile long last;

        @Override public synchronized void start(String label, long total) {
            starts++;
            events.add("start " + label + " " + total);
        }

        @Override public synchronized void update(long done) {
            updates++;
            last = done;
        }

        @Override public synchronized void finish() {
            events.add("finish " + last);
        }

        List<String> startsAndFinishes() {
            return List.copyOf(events);
        }
    }
}
