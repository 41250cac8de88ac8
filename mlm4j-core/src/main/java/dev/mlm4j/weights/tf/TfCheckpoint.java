package dev.mlm4j.weights.tf;

import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.weights.Layouts;
import dev.mlm4j.weights.TensorInfo;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.WeightException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A TensorFlow BERT checkpoint presented as a {@link TensorSource}: Hugging Face names and PyTorch layouts
 * ({@link TfNames}), over a {@link TensorBundle} that reads the TensorFlow names and layouts. Dense kernels
 * are transposed on load, {@code [in, out]} → {@code [out, in]}.
 *
 * <p>Training state ({@code adam_m}, {@code adam_v}, {@code global_step}, ...) and tensors that are not
 * floating point (integers, strings) are left out and listed by {@link #skipped()}. Variables a BERT does not
 * have are kept under their mapped name and listed by {@link #unrecognised()}, so nothing disappears silently.
 */
public final class TfCheckpoint implements TensorSource {
    private record Presented(BundleEntry entry, TensorInfo info, boolean transpose) {}

    private final TensorBundle bundle;
    private final Map<String, Presented> tensors; // by Hugging Face name, sorted
    private final List<String> skipped;
    private final List<String> unrecognised;

    private TfCheckpoint(TensorBundle bundle) {
        this.bundle = bundle;
        Map<String, Presented> tensors = new TreeMap<>();
        List<String> skipped = new ArrayList<>();
        List<String> unrecognised = new ArrayList<>();
        for (BundleEntry e : bundle.entries().values()) {
            TfNames.Mapping m = TfNames.toHuggingFace(e.name());
            if (m == null) {
                skipped.add(e.name() + " (training state)");
                continue;
            }
            if (!e.isFloatingPoint()) {
                skipped.add(e.name() + " (" + e.typeName() + ", not floating point)");
                continue;
            }
            int[] shape = TensorBundle.intShape(e);
            boolean transpose = m.transpose() && shape.length == 2;
            if (transpose) shape = new int[] {shape[1], shape[0]};
            if (!TfNames.isBertParameter(m.hfName()) || m.transpose() != transpose) unrecognised.add(m.hfName());
            Presented previous = tensors.put(m.hfName(), new Presented(e, new TensorInfo(m.hfName(), e.dtype(), shape), transpose));
            if (previous != null) {
                throw new WeightException("checkpoint " + bundle.indexFile() + " holds both '" + previous.entry().name()
                        + "' and '" + e.name() + "', which both map to '" + m.hfName() + "'");
            }
        }
        this.tensors = Collections.unmodifiableMap(tensors);
        this.skipped = List.copyOf(skipped);
        this.unrecognised = List.copyOf(unrecognised);
    }

    /** Opens a checkpoint (see {@link TensorBundle#open(Path)} for the paths accepted), verifying checksums on load. */
    public static TfCheckpoint open(Path path) {
        return open(path, true);
    }

    public static TfCheckpoint open(Path path, boolean verifyChecksums) {
        TensorBundle bundle = TensorBundle.open(path, verifyChecksums);
        try {
            return new TfCheckpoint(bundle);
        } catch (RuntimeException e) {
            bundle.close();
            throw e;
        }
    }

    /** The underlying reader, in TensorFlow names and layouts. */
    public TensorBundle bundle() {
        return bundle;
    }

    /** The TensorFlow variable presented as {@code hfName}, or null. */
    public String tfName(String hfName) {
        Presented p = tensors.get(hfName);
        return p == null ? null : p.entry().name();
    }

    /** TensorFlow variables left out, each with the reason. */
    public List<String> skipped() {
        return skipped;
    }

    /** Presented names that are not parameters of a BERT with pre-training heads (e.g. a fine-tuned task head). */
    public List<String> unrecognised() {
        return unrecognised;
    }

    @Override
    public String origin() {
        return bundle.indexFile().toString();
    }

    @Override
    public Set<String> names() {
        return tensors.keySet();
    }

    @Override
    public TensorInfo info(String name) {
        Presented p = tensors.get(name);
        return p == null ? null : p.info();
    }

    /** {@link #loadInto} into a fresh array, dense kernels transposed to {@code [out, in]}. */
    @Override
    public FloatTensor load(String name) {
        return Layouts.contiguous(loadInto(name, null));
    }

    /** Reads into {@code buffer} and leaves dense kernels untransposed, as strided {@code [out, in]} views. */
    @Override
    public FloatTensor loadInto(String name, float[] buffer) {
        Presented p = tensors.get(name);
        if (p == null) throw new WeightException("no tensor '" + name + "' in checkpoint " + origin());
        float[] data = bundle.readFloats(p.entry(), buffer);
        int[] shape = p.info().shape();
        return Layouts.view(data, shape, p.transpose());
    }

    @Override
    public void close() {
        bundle.close();
    }

    @Override
    public String toString() {
        return "TfCheckpoint[" + origin() + ", " + tensors.size() + " tensors]";
    }
}
