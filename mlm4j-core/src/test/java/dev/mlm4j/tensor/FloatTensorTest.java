package dev.mlm4j.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class FloatTensorTest {
    @Test
    void viewsShareStorageAndIndexCorrectly() {
        FloatTensor t = FloatTensor.wrap(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 3, 4);
        FloatTensor head = t.columns(2, 2);
        assertArrayEquals(new int[] {3, 2}, head.shape());
        assertEquals(6f, head.at(1, 0));
        assertEquals(11f, head.at(2, 1));
        assertFalse(head.isContiguous());
        assertArrayEquals(new float[] {2, 3, 6, 7, 10, 11}, head.toArray());
        head.set(-1f, 0, 0);
        assertEquals(-1f, t.get(0, 2));
        assertArrayEquals(new float[] {4, 5, 6, 7}, t.row(1).toArray());
        assertArrayEquals(new float[] {8, 9, 10, 11}, t.slice(2, 1).toArray());
    }

    @Test
    void badShapesAreRejectedWithAClearMessage() {
        var e = assertThrows(IllegalArgumentException.class, () -> FloatTensor.wrap(new float[5], 2, 3));
        assertTrue(e.getMessage().contains("needs 6"), e.getMessage());
        var r = assertThrows(IllegalArgumentException.class, () -> FloatTensor.of(new float[][] {{1, 2}, {3}}));
        assertTrue(r.getMessage().contains("ragged"), r.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> FloatTensor.zeros(2, 2).get(2, 0));
        assertThrows(IllegalArgumentException.class, () -> FloatTensor.zeros(2, 3).reshape(4, 2));
    }
}
