package dev.mlm4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlm4j.config.EncoderConfig;
import dev.mlm4j.config.Precision;
import dev.mlm4j.explorer.AttentionView;
import dev.mlm4j.explorer.ExplorerModel;
import dev.mlm4j.explorer.ExplorerOptions;
import dev.mlm4j.pipelines.FillMask;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.TensorInfo;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.safetensors.SafetensorsCheckpoint;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A families/NAME-tiny fixture of DeBERTa or ModernBERT on {@link FamilyGolden} (config.json and model.safetensors without
 * the tokenizer; its comparisons): with its expected.json and config.json, a head-NAME.safetensors beside it joined to
 * the encoder's tensors, the legacy MLM top-5, the explorer fed golden ids, and the public paths with the folder's tokenizer.
 */
final class FamilyFixture {
    final Path folder;
    final JsonNode expected, configJson;
    final EncoderFamily family;
    final EncoderConfig config;
    final TensorSource tensors;

    FamilyFixture(String name) {
        FamilyGolden g = FamilyGolden.open(name);
        folder = g.folder;
        family = g.family;
        config = g.config;
        tensors = g.tensors;
        expected = FamilyGolden.readJson(folder.resolve("expected.json"));
        configJson = FamilyGolden.readJson(folder.resolve("config.json"));
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
            assertArrayEquals(FamilyGolden.ints(mask.get("ids")), top, what + " top-5 at " + mask.get("position"));
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
                    if (s.has("type_ids")) continue;
                    assertArrayEquals(FamilyGolden.ints(s.get("ids")), c.tokenizer().encode(s.get("text").asText()).ids(), s.get("text").asText());
                }
            }
        }
        JsonNode s = expected.get("sentences").get(2);           // embeddings of a folder without a card: the mean of the last hidden state
        float[] v = Models.embeddings(folder.toString()).embed(s.get("text").asText());
        JsonNode h = s.get("last_hidden_state");
        for (int j = 0; j < v.length; j++) {
            double mean = 0;
            for (JsonNode row : h) mean += row.get(j).asDouble() / h.size();
            assertEquals(mean, v[j], 1e-4, "embedding dimension " + j);
        }
        FillMask fill = Models.fillMask(folder.toString());
        for (JsonNode f : expected.get("fill_mask")) {
            List<FillMask.Prediction> got = fill.fill(f.get("text").asText(), FillMask.Options.DEFAULT).get(0).predictions();
            JsonNode want = f.get("predictions");
            assertEquals(want.size(), got.size());
            for (int i = 0; i < want.size(); i++) {
                assertEquals(want.get(i).get("token").asInt(), got.get(i).token(), f.get("text").asText());
                assertEquals(want.get(i).get("token_str").asText(), got.get(i).tokenStr(), f.get("text").asText());
                assertEquals(want.get(i).get("score").asDouble(), got.get(i).score(), 1e-4);
            }
        }
    }

    /** The attention explorer, unchanged, shows transformers' matrices for this family (fed the golden ids through a stand-in tokenizer). */
    static void explorerShowsTransformersAttention(FamilyFixture f, MaskedLanguageModel mlm, int cls, int sep, int pad) {
        ExplorerModel explorer = ExplorerModel.of("tiny", mlm, new IdsTokenizer(mlm.vocabSize(), cls, sep, pad, f.expected.get("mask_token_id").asInt()), 0);
        assertEquals(f.config.numHiddenLayers(), explorer.layers());
        assertEquals(f.config.numAttentionHeads(), explorer.heads());
        for (JsonNode s : f.expected.get("sentences")) {
            AttentionView view = explorer.run(IdsTokenizer.text(FamilyGolden.ints(s.get("ids"))), null, ExplorerOptions.DEFAULT);
            assertArrayEquals(FamilyGolden.ints(s.get("ids")), view.ids());
            for (int l = 0; l < explorer.layers(); l++) {
                for (int h = 0; h < explorer.heads(); h++) {
                    double[][] a = view.attention(l, h);
                    JsonNode m = s.get("attentions").get(l).get(h);
                    for (int q = 0; q < m.size(); q++) {
                        for (int k = 0; k < m.size(); k++) assertEquals(m.get(q).get(k).asDouble(), a[q][k], 1e-5, "layer " + l + " head " + h);
                    }
                }
            }
        }
    }

}
