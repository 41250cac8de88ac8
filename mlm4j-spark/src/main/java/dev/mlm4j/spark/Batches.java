package dev.mlm4j.spark;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A partition's rows in batches for the engine: rows are taken in order until the batch holds {@code batchSize} texts
 * or the next would take it over {@code batchTokens} tokens; the good texts of a batch go through the model in one
 * padding-free forward pass (sequences packed end to end, so a text's result does not depend on its neighbours),
 * and every row comes out in its original order with two more columns: the result and the reason (one of them null).
 * Only one batch is held at a time, however large the partition.
 */
final class Batches implements Iterator<Row> {

    /** What the model makes of one text before running: a reason to skip it, or its length in tokens. */
    record Check(String reason, int tokens) {
        static Check skip(String reason) {
            return new Check(reason, 0);
        }

        static Check run(int tokens) {
            return new Check(null, tokens);
        }
    }

    /** One model behind a batch: checks a text, then runs many checked texts at once, one result per text, in order. */
    interface Model {
        Check check(String text);

        List<Object> run(List<String> texts);
    }

    /** The reason for a null or blank text, or null when there is text. */
    static String emptyReason(String text) {
        if (text == null) return "text is null";
        if (text.isBlank()) return "text is empty";
        return null;
    }

    private final Iterator<Row> rows;
    private final int textIndex, batchSize, batchTokens;
    private final Model model;
    private final ArrayDeque<Row> ready = new ArrayDeque<>();
    private Row pending;              // read but not yet placed: it did not fit the last batch
    private Check pendingCheck;

    Batches(Iterator<Row> rows, int textIndex, int batchSize, int batchTokens, Model model) {
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        if (batchTokens < 1) throw new IllegalArgumentException("batchTokens must be at least 1, got " + batchTokens);
        this.rows = rows;
        this.textIndex = textIndex;
        this.batchSize = batchSize;
        this.batchTokens = batchTokens;
        this.model = model;
    }

    @Override
    public boolean hasNext() {
        if (ready.isEmpty()) fill();
        return !ready.isEmpty();
    }

    @Override
    public Row next() {
        if (!hasNext()) throw new NoSuchElementException();
        return ready.poll();
    }

    private void fill() {
        List<Row> batch = new ArrayList<>();
        List<Check> checks = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        int tokens = 0;
        while (pending != null || rows.hasNext()) {
            Row row;
            Check check;
            if (pending != null) {
                row = pending;
                check = pendingCheck;
                pending = null;
            } else {
                row = rows.next();
                String text = row.isNullAt(textIndex) ? null : row.getString(textIndex);
                String empty = emptyReason(text);
                check = empty != null ? Check.skip(empty) : model.check(text);
            }
            if (check.reason() == null) {
                if (!texts.isEmpty() && (texts.size() == batchSize || tokens + check.tokens() > batchTokens)) {
                    pending = row;
                    pendingCheck = check;
                    break;
                }
                texts.add(row.getString(textIndex));
                tokens += check.tokens();
            }
            batch.add(row);
            checks.add(check);
            if (batch.size() >= Math.max(batchSize, 1024)) break; // a long run of skipped rows is not held whole
        }
        if (batch.isEmpty()) return;
        List<Object> results = texts.isEmpty() ? List.of() : model.run(texts);
        if (results.size() != texts.size()) throw new IllegalStateException("the model gave " + results.size() + " results for " + texts.size() + " texts");
        int r = 0;
        for (int i = 0; i < batch.size(); i++) {
            Check c = checks.get(i);
            ready.add(append(batch.get(i), c.reason() == null ? results.get(r++) : null, c.reason()));
        }
    }

    /** A Java list as the Scala sequence Spark's row encoder takes for an array column. */
    static <E> scala.collection.immutable.Seq<E> seq(List<E> list) {
        return scala.jdk.javaapi.CollectionConverters.asScala(list).toList();
    }

    /** The row's values with {@code extra} after them. */
    static Row append(Row row, Object... extra) {
        Object[] values = new Object[row.length() + extra.length];
        for (int i = 0; i < row.length(); i++) values[i] = row.get(i);
        System.arraycopy(extra, 0, values, row.length(), extra.length);
        return RowFactory.create(values);
    }
}
