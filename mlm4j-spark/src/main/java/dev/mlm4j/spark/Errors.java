package dev.mlm4j.spark;

/** Reasons in the reason column are one line. */
final class Errors {
    private Errors() {}

    static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) m = e.getClass().getSimpleName();
        return m.replace('\n', ' ').replace('\r', ' ').trim();
    }
}
