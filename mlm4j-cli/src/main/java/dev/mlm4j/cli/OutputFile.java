package dev.mlm4j.cli;

import dev.mlm4j.explorer.Outputs;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a command's output goes: standard output, or a file. A regular file (or a new one) appears whole or not at
 * all: it is written to a hidden temporary sibling and renamed over the target on {@link #commit}, and {@link #close}
 * without a commit (an error midway) deletes the temporary file and leaves any old target as it was. A device or FIFO
 * ({@code /dev/null}, a named pipe) is written through, and a symbolic link is followed, never replaced
 * (see {@link Outputs}). A failed write is an error, on standard output too.
 */
final class OutputFile implements AutoCloseable {
    private final Outputs.Destination file;
    private final Writer writer;
    private boolean committed;

    private OutputFile(Outputs.Destination file, Writer writer) {
        this.file = file;
        this.writer = writer;
    }

    /** {@code file}, or standard output when null. */
    static OutputFile open(Path file) throws IOException {
        if (file == null) return new OutputFile(null, new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8)));
        Path target = file.toAbsolutePath();
        if (Files.isDirectory(target)) throw new IllegalArgumentException(file + " is a folder");
        Path parent = target.getParent();
        if (!Files.isDirectory(parent)) throw new IllegalArgumentException("no such folder: " + parent);
        Outputs.Destination d = Outputs.open(file);
        return new OutputFile(d, new BufferedWriter(new OutputStreamWriter(d.stream(), StandardCharsets.UTF_8), 1 << 16));
    }

    Writer writer() {
        return writer;
    }

    /** Finishes the output: flushes standard output (an error if that failed), or puts the file in place. */
    void commit() throws IOException {
        writer.flush();
        if (file != null) {
            file.commit();
        } else if (System.out.checkError()) {
            Main.Stdout installed = Main.Stdout.installed;
            IOException why = installed == null ? null : installed.failure;
            throw new IOException("cannot write standard output" + (why == null || why.getMessage() == null ? "" : ": " + why.getMessage()));
        }
        committed = true;
    }

    @Override
    public void close() {
        if (file == null || committed) return;
        file.close();
    }
}
