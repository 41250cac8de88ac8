package dev.mlm4j.kernels;

import dev.mlm4j.tensor.FloatTensor;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The Vector API kernels give bit-identical results interpreted and compiled: the same computations are digested
 * in a forked JVM run with {@code -Xint} (every Vector API call on its Java fallback, lane by lane) and here after
 * heavy warm-up (C2-compiled, intrinsified), and the digests must be equal. Before VectorMath, reduceLanes(ADD)'s
 * order and lanewise(EXP)'s SVML made them differ by up to ~3e-6; the backward kernels' reduceLanes(ADD) then made two
 * training runs in one JVM differ from step 3 (the resume test failed in CI), so they are digested too.
 */
class DeterminismTest {

    /** Digests of each kernel's output on fixed inputs, one line per kernel. */
    static List<String> digests() {
        VectorKernels k = new VectorKernels();
        Random r = new Random(2024);
        List<String> out = new ArrayList<>();
        float[] xs = new float[16 * 97];
        for (int i = 0; i < xs.length; i++) xs[i] = (float) (r.nextDouble() * 180 - 95);
        float[] ex = new float[xs.length];
        for (int i = 0; i + VectorMath.L <= xs.length; i += VectorMath.L) VectorMath.exp(FloatVector.fromArray(VectorMath.S, xs, i)).intoArray(ex, i);
        out.add("exp " + crc(ex));
        FloatTensor a = KernelsTest.random(r, 9, 77), b = KernelsTest.random(r, 13, 77), c = FloatTensor.zeros(9, 13);
        k.matmulTransposed(a, b, c);
        out.add("dot " + crc(c.data()));
        FloatTensor s = KernelsTest.random(r, 7, 131);
        for (int i = 0; i < s.data().length; i++) s.data()[i] *= 4f;
        k.softmaxRows(s);
        out.add("softmax " + crc(s.data()));
        FloatTensor x = KernelsTest.random(r, 5, 390), g = KernelsTest.random(r, 390), be = KernelsTest.random(r, 390);
        for (int i = 0; i < x.data().length; i++) x.data()[i] = x.data()[i] * 3f + 1.5f;
        k.layerNorm(x, g, be, 1e-12f);
        out.add("layerNorm " + crc(x.data()));
        FloatTensor qkv = KernelsTest.random(r, 37, 96), o = FloatTensor.zeros(37, 32);
        FlashAttention.attend(qkv.columns(0, 32), qkv.columns(32, 32), qkv.columns(64, 32), false, null, 0.1767767f, o);
        out.add("attention " + crc(o.data()));
        FloatTensor xi = KernelsTest.random(r, 11, 70), w = KernelsTest.random(r, 45, 70), bias = KernelsTest.random(r, 45), y = FloatTensor.zeros(11, 45);
        Gemm.linear(xi, PackedMatrix.pack(w), bias, Epilogue.BIAS_GELU, null, y);
        out.add("gemm+gelu " + crc(y.data()));
        // the training kernels: each reduces along a row, where reduceLanes(ADD) had left the order to the JIT
        FloatTensor lx = KernelsTest.random(r, 6, 390), ldy = KernelsTest.random(r, 6, 390), ldx = FloatTensor.zeros(6, 390);
        FloatTensor dgamma = FloatTensor.zeros(390), dbeta = FloatTensor.zeros(390);
        k.layerNormBackward(lx, g, 1e-12f, ldy, ldx, dgamma, dbeta);
        out.add("layerNormBackward " + crc(ldx.data()) + " " + crc(dgamma.data()) + " " + crc(dbeta.data()));
        FloatTensor gx = KernelsTest.random(r, 7, 70), gdy = KernelsTest.random(r, 7, 70);
        k.geluBackward(gx, gdy);
        out.add("geluBackward " + crc(gdy.data()));
        FloatTensor dw = FloatTensor.zeros(45, 70), db = FloatTensor.zeros(45);
        k.linearWeightGrad(xi, KernelsTest.random(r, 11, 45), dw, db);
        out.add("linearWeightGrad " + crc(dw.data()) + " " + crc(db.data()));
        FloatTensor tq = qkv.columns(0, 32), tk = qkv.columns(32, 32), tv = qkv.columns(64, 32), to = FloatTensor.zeros(37, 32);
        float[] lse = new float[37];
        DropoutMask drop = new DropoutMask(0.1, 99);
        k.attentionTraining(tq, tk, tv, false, null, 0.1767767f, drop, to, lse, 0);
        FloatTensor dOut = KernelsTest.random(r, 37, 32), dq = FloatTensor.zeros(37, 32), dkk = FloatTensor.zeros(37, 32), dvv = FloatTensor.zeros(37, 32);
        k.attentionBackward(tq, tk, tv, false, null, 0.1767767f, drop, to, lse, 0, dOut, dq, dkk, dvv);
        out.add("attentionTraining " + crc(to.data()) + " " + crc(lse));
        out.add("attentionBackward " + crc(dq.data()) + " " + crc(dkk.data()) + " " + crc(dvv.data()));
        return out;
    }

    static String crc(float[] d) {
        CRC32 crc = new CRC32();
        for (float f : d) {
            int bits = Float.floatToRawIntBits(f);
            crc.update(bits);
            crc.update(bits >>> 8);
            crc.update(bits >>> 16);
            crc.update(bits >>> 24);
        }
        return Long.toHexString(crc.getValue());
    }

    /** Entry point of the forked JVM. */
    public static void main(String[] args) {
        for (String line : digests()) System.out.println(line);
    }

    @Test
    void interpretedAndCompiledGiveBitIdenticalResults() throws IOException, InterruptedException {
        List<String> first = digests();
        for (int i = 0; i < 4000; i++) digests();                  // enough calls for C2 to compile the kernels
        List<String> warm = digests();
        assertEquals(first, warm, "the same JVM before and after warm-up");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        // the fork gets this JVM's -XX: options (e.g. -XX:UseAVX=2), so both run the same vector species
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xint", "--add-modules", "jdk.incubator.vector"));
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream().filter(a -> a.startsWith("-XX:")).forEach(command::add);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), DeterminismTest.class.getName()));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "forked -Xint JVM did not finish");
        assertEquals(0, p.exitValue(), "forked JVM failed: " + text);
        assertEquals(warm, text.lines().toList(), "interpreted (-Xint) vs C2-compiled, fork: " + command);
    }
}
