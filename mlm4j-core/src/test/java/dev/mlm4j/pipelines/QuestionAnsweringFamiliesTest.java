package dev.mlm4j.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlm4j.TruncationBlockFolders;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.model.Checkpoint;
import dev.mlm4j.pipelines.QuestionAnswering.Answer;
import dev.mlm4j.pipelines.QuestionAnswering.Options;
import dev.mlm4j.tokens.Encoding;
import dev.mlm4j.tokens.Tokenizer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Question answering's {@code align_to_words} on the families' own tokenizers, against families/qa-words.json (made by
 * scripts/reference/families/qa_words.py): the word each context token widens to is tokenizers' {@code token_to_word}
 * then {@code word_to_chars} — ByteLevel's regex pieces for RoBERTa and ModernBERT, Metaspace's ▁ words for XLM-R and
 * DeBERTa-v3, BERT's words for ELECTRA and DistilBERT, an added token in the text a word of its own — and the answers
 * of the <family>-tiny-question-answering folders equal the span rules of transformers' question-answering pipeline
 * (top 3, with and without align_to_words: text, start and end exact, score within 1e-5) on the pairs that fit one
 * window (the script says why).
 */
class QuestionAnsweringFamiliesTest {

    static final JsonNode GOLDEN = read();

    static JsonNode read() {
        try {
            return new ObjectMapper().readTree(folder("qa-words.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path folder(String name) {
        try {
            return Path.of(QuestionAnsweringFamiliesTest.class.getResource("/families/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"roberta", "xlm-roberta", "deberta-v3", "modernbert", "electra", "distilbert"})
    void eachContextTokensWordIsTokenizersWord(String family) {
        try (Checkpoint c = Checkpoint.open(folder(family + "-tiny"))) {
            Tokenizer tok = c.tokenizer();
            for (JsonNode pair : GOLDEN.get("words").get(family)) {
                String context = pair.get("context").asText();
                Encoding e = tok.encode(context, Integer.MAX_VALUE, false);
                int[] word = tok.wordIds(context);
                List<Integer> rows = new ArrayList<>();     // the context's tokens without the template's special tokens
                for (int i = 0; i < e.length(); i++) if (!e.special()[i]) rows.add(i);
                JsonNode want = pair.get("word_spans");
                assertEquals(want.size(), rows.size(), context);
                assertEquals(rows.size(), word.length, context);
                for (int k = 0; k < rows.size(); k++) {
                    String where = family + " " + context + " token " + k + " " + pair.get("context_tokens").get(k);
                    assertEquals(pair.get("context_tokens").get(k).asText(), e.tokens()[rows.get(k)], where);
                    int first = k, last = k;
                    while (first > 0 && word[first - 1] == word[k]) first--;
                    while (last + 1 < word.length && word[last + 1] == word[k]) last++;
                    assertEquals(want.get(k).get(0).asInt(), e.start()[rows.get(first)], where + " word start");
                    assertEquals(want.get(k).get(1).asInt(), e.end()[rows.get(last)], where + " word end");
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"roberta", "xlm-roberta", "electra"})
    void answersEqualThePipelinesSpanRules(String family) {
        QuestionAnswering qa = Models.questionAnswering(folder(family + "-tiny-question-answering").toString());
        for (JsonNode c : GOLDEN.get("answers").get(family)) {
            String where = family + " " + c.get("question").asText() + " " + c.get("kwargs");
            List<Answer> got = qa.answer(c.get("question").asText(), c.get("context").asText(), Options.fromJson(c.get("kwargs")));
            JsonNode want = c.get("output").isArray() ? c.get("output") : new ObjectMapper().createArrayNode().add(c.get("output"));
            assertEquals(want.size(), got.size(), where);
            where += " got " + got;
            for (int i = 0; i < want.size(); i++) {
                assertEquals(want.get(i).get("answer").asText(), got.get(i).answer(), where + " answer " + i);
                assertEquals(want.get(i).get("start").asInt(), got.get(i).start(), where + " start " + i);
                assertEquals(want.get(i).get("end").asInt(), got.get(i).end(), where + " end " + i);
                assertEquals(want.get(i).get("score").asDouble(), got.get(i).score(), 1e-5, where + " score " + i);
            }
        }
    }

    /**
     * With a tokenizer.json "truncation" block of 16 tokens and model_max_length 64, max_seq_len defaults to
     * min(64, 384) as in transformers, not 16: the same windows and top 3 answers as its question-answering rules
     * (families/truncation-block.json, from scripts/reference/families/truncation_block.py).
     */
    @org.junit.jupiter.api.Test
    void aTruncationBlockInTokenizerJsonYieldsToModelMaxLength(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        JsonNode fixture = new ObjectMapper().readTree(folder("truncation-block.json").toFile());
        Path dir = TruncationBlockFolders.patchedCopy(folder("electra-tiny-question-answering"), tmp, fixture);
        QuestionAnswering qa = Models.questionAnswering(dir.toString(), null, dev.mlm4j.config.Precision.FP32);
        JsonNode c = fixture.get("qa");
        assertEquals(64, qa.defaultMaxSeqLen());
        List<Answer> got = qa.answer(c.get("question").asText(), c.get("context").asText(), Options.DEFAULT.withTopK(c.get("top_k").asInt()));
        JsonNode want = c.get("answers");
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            assertEquals(want.get(i).get("answer").asText(), got.get(i).answer(), "answer " + i);
            assertEquals(want.get(i).get("start").asInt(), got.get(i).start(), "answer " + i);
            assertEquals(want.get(i).get("end").asInt(), got.get(i).end(), "answer " + i);
            assertEquals(want.get(i).get("score").asDouble(), got.get(i).score(), 1e-5, "answer " + i);
        }
    }
}
