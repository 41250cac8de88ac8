package dev.mlm4j.spark;

import dev.mlm4j.pipelines.Models;
import dev.mlm4j.tokens.Encoding;
import dev.mlm4j.util.ProgressListener;
import dev.mlm4j.model.Checkpoint;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenizerTest {

    static dev.mlm4j.tokens.Tokenizer reference;

    @BeforeAll
    static void load() {
        try (Checkpoint c = Checkpoint.open(Models.resolve("bert-base-uncased", ProgressListener.NONE))) {
            reference = c.tokenizer();
        }
    }

    @Test
    void schemaIsIdsTokensOffsetsSpecialTruncated() {
        Dataset<Row> out = new Tokenizer().transform(SparkTests.frame(List.of("a b"), 1));
        assertEquals("struct<id:bigint,text:string,tokens:struct<ids:array<int>,tokens:array<string>,"
                + "offsets:array<struct<start:int,end:int>>,special:array<boolean>,truncated:boolean>,reason:string>",
                out.schema().simpleString());
    }

    @Test
    void huggingFaceIdsForTheModelCardSentence() {
        Row r = new Tokenizer().transform(SparkTests.frame(List.of("Hello I'm a [MASK] model."), 1)).first();
        Row t = r.getStruct(2);
        assertEquals(List.of(101, 7592, 1045, 1005, 1049, 1037, 103, 2944, 1012, 102), t.getList(0));
        assertEquals(List.of("[CLS]", "hello", "i", "'", "m", "a", "[MASK]", "model", ".", "[SEP]"), t.getList(1));
        List<Row> offsets = t.getList(2);
        assertEquals(List.of(-1, -1), List.of(offsets.get(0).getInt(0), offsets.get(0).getInt(1)));
        assertEquals(List.of(0, 5), List.of(offsets.get(1).getInt(0), offsets.get(1).getInt(1)));    // "Hello"
        assertEquals(List.of(12, 18), List.of(offsets.get(6).getInt(0), offsets.get(6).getInt(1)));  // "[MASK]"
        assertEquals(List.of(true, false, false, false, false, false, false, false, false, true), t.getList(3));
        assertFalse(t.getBoolean(4));
        assertNull(r.get(3));
    }

    @Test
    void everyBrownSentenceAsTheJavaTokenizerEncodesIt() {
        List<String> brown = SparkTests.brown();
        List<Row> rows = new Tokenizer().transform(SparkTests.frame(brown, 5)).collectAsList();
        assertEquals(brown.size(), rows.size());
        for (Row r : rows) {
            String text = r.getString(1);
            assertEquals(brown.get((int) r.getLong(0)), text);
            Encoding e = reference.encode(text, Integer.MAX_VALUE, false);
            Row t = r.getStruct(2);
            assertArrayEquals(e.ids(), t.<Integer>getList(0).stream().mapToInt(Integer::intValue).toArray(), text);
            assertEquals(Arrays.asList(e.tokens()), t.getList(1), text);
            List<Row> offsets = t.getList(2);
            for (int i = 0; i < e.length(); i++) {
                int start = e.start()[i], end = e.end()[i];
                assertEquals(start < 0 ? -1 : text.codePointCount(0, start), offsets.get(i).getInt(0), text + " token " + i);
                assertEquals(end < 0 ? -1 : text.codePointCount(0, end), offsets.get(i).getInt(1), text + " token " + i);
            }
        }
    }

    /**
     * Offsets count code points, as Spark SQL's substring does: after a character outside the BMP (two UTF-16 units)
     * {@code substring(text, start + 1, end - start)} is still each token's text (UTF-16 offsets were one too far).
     */
    @Test
    void offsetsAreCodePointsAsSparkSqlSubstringCountsThem() {
        String text = "I \uD83D\uDE00 Paris, \uD801\uDC37 the [MASK] of France.";   // 😀 and 𐐷: two UTF-16 units each
        Dataset<Row> out = new Tokenizer().transform(SparkTests.frame(List.of(text), 1));
        Row t = out.first().getStruct(2);
        List<String> tokens = t.getList(1);
        List<Row> offsets = t.getList(2);
        List<String> bySubstring = out.selectExpr("transform(tokens.offsets, o -> substring(text, o.start + 1, o.end - o.start))").first().getList(0);
        int checked = 0;
        for (int i = 0; i < tokens.size(); i++) {
            if (offsets.get(i).getInt(0) < 0) continue;  // [CLS], [SEP]
            String piece = bySubstring.get(i);
            if (tokens.get(i).equals("[UNK]")) {
                assertEquals(1, piece.codePointCount(0, piece.length()), "an unknown character is one code point: " + piece);
            } else {
                assertTrue(tokens.get(i).replace("##", "").equalsIgnoreCase(piece), "token " + i + " " + tokens.get(i) + " vs substring '" + piece + "'");
                checked++;
            }
        }
        assertTrue(tokens.contains("paris") && tokens.contains("[MASK]") && tokens.contains("france"), tokens.toString());
        assertTrue(checked >= 7, "tokens after the non-BMP characters checked: " + checked);
        int paris = tokens.indexOf("paris");
        assertEquals(List.of(4, 9), List.of(offsets.get(paris).getInt(0), offsets.get(paris).getInt(1)), "'Paris' after 'I 😀 ': code points 4..9");
    }

    @Test
    void maxLengthTruncates() {
        String text = SparkTests.brown().get(0);
        Row t = new Tokenizer().setMaxLength(8).transform(SparkTests.frame(List.of(text), 1)).first().getStruct(2);
        assertArrayEquals(reference.encode(text, 8, true).ids(), t.<Integer>getList(0).stream().mapToInt(Integer::intValue).toArray());
        assertTrue(t.getBoolean(4));
        // 1 cannot hold [CLS] and [SEP]: refused on the driver when the stage is applied, not by every task of the job
        assertEquals("Tokenizer: maxLength must be 0 (keep every token) or at least 2 ([CLS] and [SEP])",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> new Tokenizer().setMaxLength(1).transform(SparkTests.frame(List.of(text), 1))).getMessage());
    }

    @Test
    void nullAndEmptyTextsGiveNullWithAReason() {
        List<String> texts = new ArrayList<>(Arrays.asList(null, "", "  \t", "fine"));
        Map<Long, Row> byId = new HashMap<>();
        for (Row r : new Tokenizer().transform(SparkTests.frame(texts, 2)).collectAsList()) byId.put(r.getLong(0), r);
        assertNull(byId.get(0L).get(2));
        assertEquals("text is null", byId.get(0L).getString(3));
        assertEquals("text is empty", byId.get(1L).getString(3));
        assertEquals("text is empty", byId.get(2L).getString(3));
        assertNull(byId.get(3L).get(3));
        assertEquals(3, byId.get(3L).getStruct(2).getList(0).size());
    }
}
