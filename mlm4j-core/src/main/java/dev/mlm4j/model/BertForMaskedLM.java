package dev.mlm4j.model;

import dev.mlm4j.config.BertConfig;
import dev.mlm4j.heads.BertLMPredictionHead;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.Dropout;
import dev.mlm4j.config.Precision;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.layers.CrossEntropy;
import dev.mlm4j.config.Batch;
import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;
import dev.mlm4j.weights.TensorSource;
import dev.mlm4j.weights.Weights;

/** BertModel + the masked-LM head: transformers' {@code BertForMaskedLM} (keys {@code bert.*}, {@code cls.predictions.*}). */
public final class BertForMaskedLM extends EncoderWithLMHead<BertModel> implements Trainable {
    private final BertModel bert;
    private final BertLMPredictionHead head;

    public BertForMaskedLM(BertModel bert, BertLMPredictionHead head) {
        super(bert, head.inference());
        this.bert = bert;
        this.head = head;
    }

    /** {@link #load(TensorSource, BertConfig, Precision)} at the process default {@link Precision#fromProperty()}. */
    public static BertForMaskedLM load(TensorSource source, BertConfig config) {
        return load(source, config, Precision.fromProperty());
    }

    /** Loads the model and its head with the linear layers stored at {@code precision}. */
    public static BertForMaskedLM load(TensorSource source, BertConfig config, Precision precision) {
        Weights root = new Weights(source);
        BertModel bert = new BertModel(root.prefix("bert"), config, false, precision);   // no pooler, as in transformers
        return new BertForMaskedLM(bert, new BertLMPredictionHead(root.prefix("cls").prefix("predictions"), config,
                bert.embeddings().wordEmbeddings(), precision));
    }

    /**
     * Whether a checkpoint carries the masked-LM head: any {@code cls.predictions.*} tensor says it does, so a head
     * with a tensor missing is loaded (and {@link #load} names the missing tensor) instead of being taken for no head.
     */
    public static boolean hasHead(TensorSource source) {
        return source.containsAnyUnder("cls.predictions.");
    }

    /**
     * The one wording of "this model cannot fill masks", for every caller that needs the head ({@code instead}: what
     * the user can do with the model, e.g. "use it for embeddings instead").
     */
    public static IllegalArgumentException noHead(String model, String instead) {
        return new IllegalArgumentException("model '" + model + "' has no masked-language-model head (no cls.predictions.* tensors): "
                + instead);
    }

    public BertModel bert() {
        return bert;
    }

    public BertLMPredictionHead head() {
        return head;
    }

    // ---- training ------------------------------------------------------------------------------------------

    /**
     * One forward and backward pass of the masked-LM objective, as transformers' {@code BertForMaskedLM(labels=…)}
     * (dropout 0): logits only at the rows whose label is not −100, the mean cross-entropy over them, and every
     * parameter's gradient accumulated into {@code g} under transformers' names ({@code bert.…}, {@code cls.predictions.…};
     * the tied decoder's gradient is in {@code bert.embeddings.word_embeddings.weight}).
     *
     * @param labels (T) per packed row: the token to predict, or {@link CrossEntropy#IGNORE_INDEX}
     * @return the loss (NaN when no row has a label)
     */
    public double lossAndGradients(Kernels k, Batch batch, int[] labels, Gradients g) {
        return lossAndGradients(k, batch, labels, g, Dropout.OFF);
    }

    /** As above under {@code dropout} (transformers' train mode; its seed fixes the masks). */
    @Override
    public double lossAndGradients(Kernels k, Batch batch, int[] labels, Gradients g, Dropout dropout) {
        return lossAndGradients(k, batch, labels, g, AttentionMask.BIDIRECTIONAL, dropout);
    }

    /**
     * {@link #lossAndGradients(Kernels, Batch, int[], Gradients, Dropout)} under {@code mask}: with {@link AttentionMask#CAUSAL}
     * and each row labelled with the next token of its sequence this is transformers' {@code BertLMHeadModel}
     * ({@code is_decoder=True}) on the same weights, the causal-LM objective.
     */
    public double lossAndGradients(Kernels k, Batch batch, int[] labels, Gradients g, AttentionMask mask, Dropout dropout) {
        if (labels.length != batch.tokens()) throw new IllegalArgumentException(labels.length + " labels for " + batch.tokens() + " tokens");
        TrainingState s = bert.trainingState(batch, dropout);
        FloatTensor last = bert.forwardTraining(k, s, mask);                            // (T, hidden)
        int[] rows = java.util.stream.IntStream.range(0, labels.length).filter(i -> labels[i] != CrossEntropy.IGNORE_INDEX).toArray();
        int h = last.dim(1);
        FloatTensor picked = FloatTensor.zeros(rows.length, h);                          // (m, hidden)
        int[] targets = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(last.data(), last.rowOffset(rows[i]), picked.data(), i * h, h);
            targets[i] = labels[rows[i]];
        }
        BertLMPredictionHead.Saved saved = head.forwardTraining(k, picked);
        FloatTensor dlogits = FloatTensor.zeros(rows.length, head.vocabSize());
        double loss = CrossEntropy.lossAndGradient(saved.logits(), targets, dlogits);
        FloatTensor words = bert.embeddings().wordEmbeddings();
        Gradients predictions = g.prefix("cls").prefix("predictions");
        FloatTensor decoderGrad = head.decoderTiedTo(words)
                ? g.prefix("bert").prefix("embeddings").prefix("word_embeddings").tensor("weight", words.dim(0), words.dim(1))
                : predictions.prefix("decoder").tensor("weight", head.vocabSize(), h);
        FloatTensor dPicked = FloatTensor.zeros(rows.length, h);
        head.backward(k, saved, dlogits, dPicked, predictions, decoderGrad);
        FloatTensor dLast = FloatTensor.zeros(last.dim(0), h);                           // zero except the labelled rows
        for (int i = 0; i < rows.length; i++) System.arraycopy(dPicked.data(), i * h, dLast.data(), dLast.rowOffset(rows[i]), h);
        bert.backward(k, s, dLast, g.prefix("bert"));
        return loss;
    }

    /**
     * Every trainable parameter by transformers' name ({@code bert.…}, {@code cls.predictions.…}), the tensors the
     * forward reads, for an optimiser to update in place. An int8 model refuses.
     */
    public Parameters parameters() {
        Parameters p = new Parameters();
        bert.parameters(p.prefix("bert"));
        head.parameters(p.prefix("cls").prefix("predictions"), bert.embeddings().wordEmbeddings());
        return p;
    }
}
