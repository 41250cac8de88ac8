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

    /** As {@link Model}, for rows of a text and its pair (a second text column; the pair is null without one). */
    interface PairModel {
        Check check(String text, String pair);

        List<Object> run(List<String> texts, List<String> pairs);
    }

    /** The reason for a null or blank text, or null when there is text. */
    static String emptyReason(String text) {
        if (text == null) return "text is null";
        if (text.isBlank()) return "text is empty";
        return null;
    }

    private final Iterator<Row> rows;
    private final int textIndex, pairIndex, batchSize, batchTokens;
    private final PairModel model;
    private final ArrayDeque<Row> ready = new ArrayDeque<>();
    private Row pending;              // read but not yet placed: it did not fit the last batch
    private Check pendingCheck;

    Batches(Iterator<Row> rows, int textIndex, int batchSize, int batchTokens, Model model) {
        this(rows, textIndex, -1, batchSize, batchTokens, new PairModel() {
            @Override
            public Check check(String text, String pair) {
                return model.check(text);
            }

            @Override
            public List<Object> run(List<String> texts, List<String> pairs) {
                return model.run(texts);
            }
        });
    }

    /**
     * Rows of a text (at {@code textIndex}) and, when {@code pairIndex} ≥ 0, its pair: a null or blank pair is a
     * reason too ("text pair is null").
     */
    Batches(Iterator<Row> rows, int textIndex, int pairIndex, int batchSize, int batchTokens, PairModel model) {
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        if (batchTokens < 1) throw new IllegalArgumentException("batchTokens must be at least 1, got " + batchTokens);
        this.rows = rows;
        this.textIndex = textIndex;
        this.pairIndex = pairIndex;
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
        List<String> texts = new ArrayList<>(), pairs = new ArrayList<>();
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
                String text = string(row, textIndex), pair = string(row, pairIndex);
                String empty = emptyReason(text);
                if (empty == null && pairIndex >= 0 && emptyReason(pair) != null) empty = emptyReason(pair).replace("text", "text pair");
                check = empty != null ? Check.skip(empty) : model.check(text, pair);
            }
            if (check.reason() == null) {
                if (!texts.isEmpty() && (texts.size() == batchSize || tokens + check.tokens() > batchTokens)) {
                    pending = row;
                    pendingCheck = check;
                    break;
                }
                texts.add(row.getString(textIndex));
                pairs.add(string(row, pairIndex));
                tokens += check.tokens();
            }
            batch.add(row);
            checks.add(check);
            if (batch.size() >= Math.max(batchSize, 1024)) break; // a long run of skipped rows is not held whole
        }
        if (batch.isEmpty()) return;
        List<Object> results = texts.isEmpty() ? List.of() : model.run(texts, pairs);
        if (results.size() != texts.size()) throw new IllegalStateException("the model gave " + results.size() + " results for " + texts.size() + " texts");
        int r = 0;
        for (int i = 0; i < batch.size(); i++) {
            Check c = checks.get(i);
            ready.add(append(batch.get(i), c.reason() == null ? results.get(r++) : null, c.reason()));
        }
    }

    private static String string(Row row, int index) {
        return index < 0 || row.isNullAt(index) ? null : row.getString(index);
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
