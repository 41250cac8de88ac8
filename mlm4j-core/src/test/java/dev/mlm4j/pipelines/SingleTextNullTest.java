package dev.mlm4j.pipelines;

import dev.mlm4j.config.Precision;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A null text given to a pipeline's one-text overload is refused as the list overload refuses it (an
 * IllegalArgumentException naming the text), not with the bare NullPointerException of {@code List.of(null)}.
 */
class SingleTextNullTest {

    static String tinyBert() throws Exception {
        return Path.of(SingleTextNullTest.class.getResource("/fixtures/hf-tiny-bert").toURI()).toString();
    }

    @Test
    void fillMaskRefusesANullText() throws Exception {
        FillMask fm = Models.fillMask(tinyBert());
        assertEquals("the text is empty",
                assertThrows(IllegalArgumentException.class, () -> fm.fill((String) null, FillMask.Options.DEFAULT)).getMessage());
    }

    @Test
    void embeddingsRefuseANullText() throws Exception {
        FeatureExtraction fe = Models.embeddings(tinyBert());
        assertEquals("text 1 is null", assertThrows(IllegalArgumentException.class, () -> fe.embed((String) null)).getMessage());
    }

    @Test
    void zeroShotRefusesANullText() {
        ZeroShotClassification zs = Models.zeroShotClassification(TaskFixtures.tiny("nli").toString(), null, Precision.FP32);
        assertEquals("the text is empty: give a sequence to classify", assertThrows(IllegalArgumentException.class,
                () -> zs.classify((String) null, List.of("sports"), ZeroShotClassification.Options.DEFAULT)).getMessage());
    }
}
