package dev.mlm4j.cli;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The lines of a UTF-8 file with their numbers, blank ones included (see {@link Inputs} for why), read as they are
 * needed (so a file of millions of lines costs no memory) and again on every iteration. Each line is decoded strictly,
 * as in {@link Inputs}: a bad byte is an error naming its line. {@link #bytesRead} tells how far the latest iterator has got, for a progress bar.
 */
final class TextFile implements Iterable<Inputs.Line> {
    private final Path file;
    private volatile long bytesRead;

    TextFile(Path file) {
        if (!Files.exists(file)) throw new IllegalArgumentException("no such file: " + file);
        if (Files.isDirectory(file)) throw new IllegalArgumentException(file + " is a folder, not a file");
        if (!Files.isReadable(file)) throw new IllegalArgumentException("permission denied: cannot read " + file);
        this.file = file;
    }

    long size() {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    long bytesRead() {
        return bytesRead;
    }

    @Override
    public Iterator<Inputs.Line> iterator() {
        InputStream in;
        try {
            in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        bytesRead = 0;
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        return new Iterator<>() {
            private byte[] buf = new byte[256];
            private Inputs.Line next;
            private int line;
            private boolean done;

            @Override
            public boolean hasNext() {
                while (next == null && !done) {
                    int n = 0, b;
                    try {
                        while ((b = in.read()) >= 0 && b != '\n') {
                            if (n == buf.length) buf = Arrays.copyOf(buf, 2 * n);
                            buf[n++] = (byte) b;
                        }
                        if (b < 0) close();
                        if (b < 0 && n == 0) break;
                        bytesRead += n + (b < 0 ? 0 : 1);
                        line++;
                        if (n > 0 && buf[n - 1] == '\r') n--;
                        String l = utf8.decode(ByteBuffer.wrap(buf, 0, n)).toString();
                        if (line == 1 && l.startsWith("\uFEFF")) l = l.substring(1);
                        next = new Inputs.Line(line, l);
                    } catch (CharacterCodingException e) {
                        close();
                        throw new IllegalArgumentException(file + " is not valid UTF-8 (line " + line + ")");
                    } catch (IOException e) {
                        close();
                        throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
                    }
                }
                return next != null;
            }

            @Override
            public Inputs.Line next() {
                if (!hasNext()) throw new NoSuchElementException();
                Inputs.Line s = next;
                next = null;
                return s;
            }

            private void close() {
                done = true;
                try {
                    in.close();
                } catch (IOException ignored) {
                    // reading is over either way
                }
            }
        };
    }
}
