package dev.mlm4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.tokens.Tokenizer;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code train tag} puts each word's tag on the token transformers counts as the word's first (run_ner's
 * {@code word_ids()}), for every family's tokenizer: also where a piece's offsets start on the space before its word
 * (DeBERTa's SentencePiece "▁mo", ModernBERT's byte-level "Ġm", mlm4j's XLM-R pieces), which used to move the tag to
 * the word's second piece and drop it from one-piece words. Fixture: scripts/reference/training/tag_first_pieces.py.
 */
class TagFirstPieceTest {
    @Test
    void eachWordsTagIsOnTheTokenTransformersCallsItsFirst() throws Exception {
        JsonNode fixture;
        try (InputStream in = TagFirstPieceTest.class.getResourceAsStream("/training/tag-first-pieces.json")) {
            fixture = new ObjectMapper().readTree(in);
        }
        List<String> names = List.of("W0", "W1", "W2", "W3", "W4", "W5", "W6", "W7");
        LabelMap labels = new LabelMap(names);
        int checked = 0;
        for (var family : (Iterable<java.util.Map.Entry<String, JsonNode>>) fixture::fields) {
            Tokenizer tokenizer = Models.tokenizer(
                    java.nio.file.Path.of("src/test/resources/families", family.getKey()).toAbsolutePath().toString(), null);
            for (JsonNode row : family.getValue()) {
                List<String> words = new ArrayList<>();
                row.get("words").forEach(w -> words.add(w.asText()));
                List<String> tags = names.subList(0, words.size());
                List<TrainingData.Record> records = List.of(new TrainingData.Record(null, null, null, words, tags, 1));
                Sequence s = TrainingData.tokenize(records, Objective.TAG, labels,
                        new TrainingData.Tokenization(tokenizer, 512, false, false), "fixture", w -> {}).getFirst();
                String where = family.getKey() + ": " + String.join(" ", words);
                assertArrayEquals(ints(row.get("ids")), s.ids(), where + " (ids)");
                assertArrayEquals(ints(row.get("first_piece_of_word")), s.labels(), where + " (labels)");
                checked++;
            }
        }
        assertEquals(25, checked);
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asInt();
        return out;
    }
}
