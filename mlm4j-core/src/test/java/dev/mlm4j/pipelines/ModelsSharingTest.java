package dev.mlm4j.pipelines;

import dev.mlm4j.explorer.ExplorerModel;
import dev.mlm4j.config.Precision;
import dev.mlm4j.model.TestModels;
import dev.mlm4j.util.ProgressListener;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Fill-mask, embeddings and the attention explorer of one model run on one loaded copy of its weights. */
class ModelsSharingTest {

    @Test
    void theThreePipelinesOfAMaskedLmShareOneModel() {
        String bert = TestModels.folder("bert-base-uncased").toString();
        Models.Loaded m = Models.load(bert, ProgressListener.NONE, Precision.FP32);
        assertNotNull(m.maskedLm());
        assertSame(m.encoder(), m.maskedLm().encoder());
        assertSame(m.maskedLm(), Models.fillMask(bert, ProgressListener.NONE, Precision.FP32).model());
        assertSame(m.encoder(), Models.embeddings(bert, ProgressListener.NONE, Precision.FP32).model());
        ExplorerModel ex = ExplorerModel.load(bert);
        assertSame(m.encoder(), ex.encoder());
        assertSame(m.maskedLm(), ex.mlm());
        // another precision is another model
        assertNotSame(m, Models.load(bert, ProgressListener.NONE, Precision.INT8));
    }

    @Test
    void anEmbeddingModelHasNoMaskedLmAndFillMaskSaysSo() {
        String miniLm = TestModels.folder("all-MiniLM-L6-v2").toString();
        Models.Loaded m = Models.load(miniLm, ProgressListener.NONE, Precision.FP32);
        assertNull(m.maskedLm());
        assertSame(m.encoder(), Models.embeddings(miniLm, ProgressListener.NONE, Precision.FP32).model());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Models.fillMask(miniLm, ProgressListener.NONE, Precision.FP32));
        assertTrue(e.getMessage().contains("no masked-language-model head"), e.getMessage());
    }
}
