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
    void copiesOfViewsAreContiguousAndHoldTheViewsElements() {
        FloatTensor t = FloatTensor.wrap(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 3, 4);
        FloatTensor columns = t.columns(1, 2).copy(), rows = t.slice(1, 2).columns(2, 2).copy(), transposed = t.transposed().copy();
        assertArrayEquals(new float[] {1, 2, 5, 6, 9, 10}, columns.data());              // row by row (unit stride)
        assertArrayEquals(new int[] {3, 2}, columns.shape());
        assertTrue(columns.isContiguous());
        assertArrayEquals(new float[] {6, 7, 10, 11}, rows.data());
        assertArrayEquals(new float[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, transposed.data()); // element by element
        columns.data()[0] = -1f;
        assertEquals(1f, t.get(0, 1), "a copy, not a view");
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

    @Test
    void gatherRowsCopiesOutAndScatterRowsPutsBack() {
        FloatTensor t = FloatTensor.wrap(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 4, 3);
        FloatTensor picked = t.slice(1, 3).gatherRows(new int[] {2, 0});              // rows 3 and 1 of t, through a view's offset
        assertArrayEquals(new float[] {9, 10, 11, 3, 4, 5}, picked.toArray());
        picked.set(-1f, 0, 0);
        assertEquals(9f, t.get(3, 0), "a copy, not a view");
        FloatTensor into = FloatTensor.zeros(4, 3);
        into.set(7f, 1, 1);
        FloatTensor.wrap(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).scatterRows(new int[] {3, 0}, into);
        assertArrayEquals(new float[] {4, 5, 6, 0, 7, 0, 0, 0, 0, 1, 2, 3}, into.toArray(), "rows 3 and 0 written, row 1 left as it was");
        assertThrows(IndexOutOfBoundsException.class, () -> t.gatherRows(new int[] {4}));
        assertThrows(IndexOutOfBoundsException.class, () -> picked.scatterRows(new int[] {0, -1}, into));
        assertThrows(IllegalArgumentException.class, () -> picked.scatterRows(new int[] {0}, into));
        assertThrows(IllegalArgumentException.class, () -> t.columns(0, 2).gatherRows(new int[] {0}).scatterRows(new int[] {0}, into));
    }
}
