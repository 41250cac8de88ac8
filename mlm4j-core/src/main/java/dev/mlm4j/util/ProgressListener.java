package dev.mlm4j.util;

/**
 * Hears how a long job advances: a download, an unpack. One job at a time: {@link #start}, any number of
 * {@link #update}s with the amount done so far, then {@link #finish} — also when the job failed.
 * {@link Progress} draws it on stderr; {@link #NONE} ignores it (libraries, tests).
 */
public interface ProgressListener {

    /** A job begins; {@code total} is in bytes, or -1 when unknown. */
    void start(String label, long total);

    /** Bytes done so far (absolute, not a delta). */
    void update(long done);

    /** The job ended, well or not. */
    void finish();

    ProgressListener NONE = new ProgressListener() {
        @Override public void start(String label, long total) {}
        @Override public void update(long done) {}
        @Override public void finish() {}
    };
}
