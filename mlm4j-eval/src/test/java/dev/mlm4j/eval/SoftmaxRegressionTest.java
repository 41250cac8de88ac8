package dev.mlm4j.eval;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** The probe head learns what is there to learn, and nothing when there is nothing. */
class SoftmaxRegressionTest {

    /** Three classes in 10 dimensions: class c is a Gaussian blob around 3·e_c (plus noise in every direction). */
    static float[][] blobs(int n, int[] y, Random r) {
        float[][] x = new float[n][10];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(3);
            for (int j = 0; j < 10; j++) x[i][j] = (float) (r.nextGaussian() * 0.5 + (j == y[i] ? 3 : 0));
            x[i][9] = 1000 + 50 * x[i][9];           // a badly scaled column: standardisation must cope
        }
        return x;
    }

    @Test
    void learnsASeparableTask() {
        Random r = new Random(11);
        int[] yTrain = new int[600], yTest = new int[3000];
        float[][] xTrain = blobs(600, yTrain, r), xTest = blobs(3000, yTest, r);
        SoftmaxRegression m = SoftmaxRegression.train(xTrain, yTrain, 3, SoftmaxRegression.Options.DEFAULT, Meter.NONE, "toy");
        assertTrue(Scores.accuracy(m.predict(xTest), yTest) > 0.99, "accuracy " + Scores.accuracy(m.predict(xTest), yTest));
        assertTrue(m.trainLoss() < 0.1, "loss " + m.trainLoss());
        double[] p = m.probabilities(xTest[0]);
        assertEquals(1.0, p[0] + p[1] + p[2], 1e-9);
        assertTrue(p[yTest[0]] > 0.9);
    }

    @Test
    void cannotBeatChanceOnShuffledLabels() {
        Random r = new Random(12);
        int[] yTrain = new int[600], yTest = new int[3000];
        float[][] xTrain = blobs(600, yTrain, r), xTest = blobs(3000, yTest, r);
        for (int i = yTrain.length - 1; i > 0; i--) {               // break the link between features and labels
            int j = r.nextInt(i + 1), t = yTrain[i];
            yTrain[i] = yTrain[j];
            yTrain[j] = t;
        }
        SoftmaxRegression m = SoftmaxRegression.train(xTrain, yTrain, 3, SoftmaxRegression.Options.DEFAULT, Meter.NONE, "control");
        double acc = Scores.accuracy(m.predict(xTest), yTest);
        // chance is 1/3; 3,000 test examples give a standard error of 0.0086
        assertTrue(acc < 1.0 / 3 + 0.045, "shuffled labels should leave the probe at chance, got " + acc);
    }

    @Test
    void sameSeedSameModel() {
        Random r = new Random(13);
        int[] y = new int[300];
        float[][] x = blobs(300, y, r);
        SoftmaxRegression.Options o = SoftmaxRegression.Options.DEFAULT.withEpochs(3);
        double[] a = SoftmaxRegression.train(x, y, 3, o, Meter.NONE, "a").probabilities(x[0]);
        double[] b = SoftmaxRegression.train(x, y, 3, o, Meter.NONE, "b").probabilities(x[0]);
        assertArrayEquals(a, b, 0.0);
    }

    @Test
    void badTrainingDataIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> SoftmaxRegression.train(new float[0][], new int[0], 2, SoftmaxRegression.Options.DEFAULT, Meter.NONE, "x"));
        assertThrows(IllegalArgumentException.class, () -> SoftmaxRegression.train(new float[][] {{1}}, new int[] {2}, 2, SoftmaxRegression.Options.DEFAULT, Meter.NONE, "x"));
        assertThrows(IllegalArgumentException.class, () -> SoftmaxRegression.train(new float[][] {{1}, {1, 2}}, new int[] {0, 1}, 2, SoftmaxRegression.Options.DEFAULT, Meter.NONE, "x"));
    }

    @Test
    void scores() {
        int[] gold = {0, 0, 1, 1, 2, 2};
        int[] pred = {0, 1, 1, 1, 0, 2};
        assertEquals(4.0 / 6, Scores.accuracy(pred, gold), 1e-12);
        // F1: class 0: tp1 fp1 fn1 → 0.5; class 1: tp2 fp1 fn0 → 0.8; class 2: tp1 fp0 fn1 → 2/3
        assertEquals((0.5 + 0.8 + 2.0 / 3) / 3, Scores.macroF1(pred, gold, 3), 1e-12);
        assertEquals(1, Scores.majority(new int[] {1, 1, 0, 2}, 3));
        assertEquals(0, Scores.majority(new int[] {1, 0}, 3), "ties go to the smaller label");
    }
}
