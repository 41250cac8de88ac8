package dev.mlm4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlm4j.JsonArrays;
import dev.mlm4j.config.Batch;
import dev.mlm4j.config.EncoderConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.explorer.AttentionView;
import dev.mlm4j.explorer.ExplorerModel;
import dev.mlm4j.explorer.ExplorerOptions;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.TensorInfo;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.safetensors.SafetensorsCheckpoint;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A families/NAME-tiny fixture of DeBERTa or ModernBERT on {@link FamilyGolden} (config.json and model.safetensors without
 * the tokenizer; its comparisons): with its expected.json, config.json and masked LM, a head-NAME.safetensors beside it
 * joined to the encoder's tensors, the legacy MLM top-5, the explorer fed golden ids, the task heads' logits (their
 * expected.json keys, made by scripts/reference/families/deberta_v2.py and modernbert.py), and the public paths with the
 * folder's tokenizer.
 */
final class FamilyFixture {
    final Path folder;
    final JsonNode expected, configJson;
    final EncoderFamily family;
    final EncoderConfig config;
    final TensorSource tensors;
    /** The folder's masked LM, as its family registers it. */
    final MaskedLanguageModel mlm;

    FamilyFixture(String name) {
        FamilyGolden g = FamilyGolden.open(name);
        folder = g.folder;
        family = g.family;
        config = g.config;
        tensors = g.tensors;
        expected = FamilyGolden.readJson(folder.resolve("expected.json"));
        configJson = FamilyGolden.readJson(folder.resolve("config.json"));
        mlm = g.load(Task.MASKED_LM);
    }

    /** The encoder's tensors and those of {@code head-NAME.safetensors}, as one checkpoint of that head would have them. */
    TensorSource withHead(String head) {
        TensorSource extra = SafetensorsCheckpoint.open(folder.resolve("head-" + head + ".safetensors"));
        return new TensorSource() {
            public String origin() {
                return tensors.origin() + " + " + extra.origin();
            }

            public Set<String> names() {
                Set<String> all = new LinkedHashSet<>(tensors.names());
                all.addAll(extra.names());
                return all;
            }

            public TensorInfo info(String n) {
                return extra.contains(n) ? extra.info(n) : tensors.info(n);
            }

            public FloatTensor load(String n) {
                return extra.contains(n) ? extra.load(n) : tensors.load(n);
            }
        };
    }

    /** The family's {@code task} model, as registered, on the encoder and {@code head-FILE.safetensors}, under {@code config}. */
    <M> M head(Task<M> task, String file, EncoderConfig config) {
        return family.head(task).orElseThrow().load(withHead(file), config, Precision.FP32);
    }

    /** As {@link #head(Task, String, EncoderConfig)} under the fixture's own config. */
    <M> M head(Task<M> task, String file) {
        return head(task, file, config);
    }

    /** The MLM top-5 ids equal and their logits within 1e-4, at each of {@code masks}' positions of sequence {@code b}. */
    static void top5(JsonNode masks, MaskedLanguageModel mlm, EncoderOutput out, int b, String what) {
        for (JsonNode mask : masks) {
            FloatTensor logits = mlm.logits(out, new int[] {out.batch().offset(b) + mask.get("position").asInt()});
            int[] top = FamilyGolden.top5(logits);
            assertArrayEquals(JsonArrays.ints(mask.get("ids")), top, what + " top-5 at " + mask.get("position"));
            for (int i = 0; i < 5; i++) assertEquals(mask.get("logits").get(i).asDouble(), logits.at(0, top[i]), 1e-4, what + " logit " + i);
        }
    }

    /**
     * The folder through the public paths with its own tokenizer.json: {@link Checkpoint#open} tokenizes every golden
     * text to transformers' ids, {@link Models#embeddings} is the mean of transformers' last hidden state, and
     * {@link Models#fillMask} equals transformers' fill-mask pipeline (tokens exact, scores within 1e-4).
     */
    void publicPathsEqualTransformers() {
        try (Checkpoint c = Checkpoint.open(folder)) {
            assertEquals(family.getClass(), c.family().getClass());
            for (String group : new String[] {"sentences", "batch"}) {
                for (JsonNode s : expected.get(group)) {
                    if (!s.has("type_ids")) FamilyGolden.assertIds(c.tokenizer(), s);
                }
            }
        }
        FamilyGolden.embeddingIsTheMeanOfTheLastHiddenState(folder, expected.get("sentences").get(2));
        FamilyGolden.fillMaskEqualsTransformers(folder, expected);
    }

    /** The attention explorer, unchanged, shows transformers' matrices for this family (fed the golden ids through a stand-in tokenizer). */
    static void explorerShowsTransformersAttention(FamilyFixture f, MaskedLanguageModel mlm, int cls, int sep, int pad) {
        ExplorerModel explorer = ExplorerModel.of("tiny", mlm, new IdsTokenizer(mlm.vocabSize(), cls, sep, pad, f.expected.get("mask_token_id").asInt()), 0);
        assertEquals(f.config.numHiddenLayers(), explorer.layers());
        assertEquals(f.config.numAttentionHeads(), explorer.heads());
        for (JsonNode s : f.expected.get("sentences")) {
            AttentionView view = explorer.run(IdsTokenizer.text(JsonArrays.ints(s.get("ids"))), null, ExplorerOptions.DEFAULT);
            FamilyGolden.viewShowsTransformersAttention(view, s, explorer.layers(), explorer.heads());
        }
    }

    /**
     * The task heads' logits within 1e-4 on every golden sentence and the padded batch, packed as one batch: each
     * sequence classifier against its expected.json key, {@code tok} against "token_classification", {@code qa}
     * against "start_logits" and "end_logits".
     */
    void headsMatchTransformers(Map<String, SequenceClassifier> sequenceClassifiers, TokenClassifier tok, QuestionAnswerer qa) {
        List<JsonNode> all = FamilyGolden.list(expected.get("sentences"));
        all.addAll(FamilyGolden.list(expected.get("batch")));
        Batch batch = FamilyGolden.batch(all);
        Kernels k = Kernels.get();
        Map<String, FloatTensor> seqLogits = new LinkedHashMap<>();
        sequenceClassifiers.forEach((key, seq) -> seqLogits.put(key, seq.logits(k, seq.encoder().forward(batch, ForwardOptions.DEFAULT))));
        FloatTensor tokLogits = tok.logits(tok.encoder().forward(batch, ForwardOptions.DEFAULT));
        FloatTensor span = qa.logits(k, qa.encoder().forward(batch, ForwardOptions.DEFAULT));
        for (int b = 0; b < all.size(); b++) {
            JsonNode s = all.get(b);
            String text = s.get("text").asText();
            for (Map.Entry<String, FloatTensor> e : seqLogits.entrySet()) {
                JsonNode want = s.get(e.getKey());
                assertEquals(want.size(), e.getValue().dim(1), e.getKey());
                for (int j = 0; j < want.size(); j++) assertEquals(want.get(j).asDouble(), e.getValue().at(b, j), 1e-4, text + " (" + e.getKey() + ")");
            }
            FamilyGolden.assertClose(s.get("token_classification"), tokLogits.slice(batch.offset(b), batch.length(b)), 1e-4, text + " token logits");
            for (int i = 0; i < batch.length(b); i++) {
                assertEquals(s.get("start_logits").get(i).asDouble(), span.at(batch.offset(b) + i, 0), 1e-4, text + " start " + i);
                assertEquals(s.get("end_logits").get(i).asDouble(), span.at(batch.offset(b) + i, 1), 1e-4, text + " end " + i);
            }
        }
    }
}
