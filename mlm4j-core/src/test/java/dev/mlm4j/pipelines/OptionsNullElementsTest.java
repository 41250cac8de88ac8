package dev.mlm4j.pipelines;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A null in an Options record's list is a one-line IllegalArgumentException, not List.copyOf's bare NullPointerException. */
class OptionsNullElementsTest {

    @Test
    void aNullFillMaskTargetIsAnEmptyTargetWord() {
        assertEquals("empty target word", assertThrows(IllegalArgumentException.class,
                () -> new FillMask.Options(5, Arrays.asList("cat", null), false, false)).getMessage());
        assertEquals(List.of(), new FillMask.Options(5, null, false, false).targets());
    }

    @Test
    void aNullIgnoredLabelIsRefused() {
        assertEquals("an ignored label is null", assertThrows(IllegalArgumentException.class,
                () -> TokenClassification.Options.DEFAULT.withIgnoreLabels(Arrays.asList("O", null))).getMessage());
        assertEquals(List.of("O"), TokenClassification.Options.DEFAULT.withIgnoreLabels(null).ignoreLabels());
    }
}
