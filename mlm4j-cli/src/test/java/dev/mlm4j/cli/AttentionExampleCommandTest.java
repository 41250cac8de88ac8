package dev.mlm4j.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class AttentionExampleCommandTest {

    @Test
    void printsTheCorrectedSeedNumbers() {
        var r = CliRunner.run("attention-example");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("[0.0900, 0.2447, 0.6652]"), r.out());
        assertTrue(r.out().contains("[0.0159, 0.1173, 0.8668]"), r.out());
        assertTrue(r.out().contains("[0.0024, 0.0473, 0.9503]"), r.out());
        assertTrue(r.out().contains("[2.5752]") && r.out().contains("[2.8509]") && r.out().contains("[2.9480]"), r.out());
        assertTrue(r.out().contains("A row 2 (cão): printed [0.09, 0.24, 0.67], correct [0.0159, 0.1173, 0.8668]"), r.out());
    }

    @Test
    void causalShowsTheMaskedVariant() {
        var r = CliRunner.run("attention-example", "--causal");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("[1.0000, -inf, -inf]"), r.out());
        assertTrue(r.out().contains("[1.0000, 0.0000, 0.0000]"), r.out());
        assertFalse(r.out().contains("printed"), "the seed's numbers are for the bidirectional case only");
    }

    @Test
    void userMatricesAndJson() {
        var r = CliRunner.run("attention-example", "--x", "1,0;0,1", "--json");
        assertEquals(0, r.exit(), r.err());
        // QKᵀ = I, scaled by 1/√2; A row 0 = softmax([1/√2, 0])
        double a00 = Math.exp(1 / Math.sqrt(2)) / (Math.exp(1 / Math.sqrt(2)) + 1);
        assertTrue(r.out().contains(String.valueOf((float) a00).substring(0, 6)), r.out());
        assertTrue(r.out().trim().startsWith("{") && r.out().trim().endsWith("}"), r.out());
    }

    @Test
    void badInputIsOneLineAndNonZero() {
        for (String[] args : new String[][] {
                {"attention-example", "--x", "1,2;3"},
                {"attention-example", "--x", "1;NaN"},
                {"attention-example", "--x", "1;abc"},
                {"attention-example", "--x", ""},
                {"attention-example", "--x", "1,2;3,4", "--wq", "1,2,3"},
                {"attention-example", "--bogus"}}) {
            var r = CliRunner.run(args);
            assertNotEquals(0, r.exit(), String.join(" ", args));
            assertTrue(r.err().startsWith("mlm4j: "), r.err());
            assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), "no stack trace: " + r.err());
            assertEquals("", r.out(), "nothing half-printed on stdout");
        }
        assertTrue(CliRunner.run("attention-example", "--x", "1e200;2").err().contains("too large for a float (1e200"), "an overflow is not called non-finite");
        assertTrue(CliRunner.run("attention-example", "--x", "1;NaN").err().contains("non-finite value (NaN)"));
    }
}
