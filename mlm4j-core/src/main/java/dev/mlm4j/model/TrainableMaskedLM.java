package dev.mlm4j.model;

import dev.mlm4j.attention.AttentionMask;
import dev.mlm4j.config.Batch;
import dev.mlm4j.heads.BertLMPredictionHead;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.layers.CrossEntropy;
import dev.mlm4j.layers.Dropout;
import dev.mlm4j.tensor.FloatTensor;
import dev.mlm4j.tensor.Gradients;
import dev.mlm4j.tensor.Parameters;

import java.util.stream.IntStream;

/**
 * A masked LM that trains: a {@link TrainableEncoder} and the head LayerNorm(gelu(dense(h))) · Eᵀ + bias with its
 * backward ({@link BertLMPredictionHead}), the encoder's keys under its {@link TrainableEncoder#scope()} and the head's
 * under {@code headScope}. {@link BertForMaskedLM} ({@code bert}, {@code cls.predictions}), {@link RobertaForMaskedLM}
 * ({@code roberta}, {@code lm_head}) and {@link DistilBertForMaskedLM} ({@code distilbert}, its {@code vocab_*} at the
 * root: headScope "") and {@link ModernBertForMaskedLM} ({@code model}, {@code head.*} and {@code decoder.*} at the root)
 * are this class with their own names; {@link DebertaV2ForMaskedLM} trains through one ({@code deberta},
 * {@code lm_predictions.lm_head}) when its head is that layout.
 *
 * @param <E> the encoder
 */
public abstract class TrainableMaskedLM<E extends TrainableEncoder> extends EncoderWithLMHead<E> implements Trainable {
    private final E encoder;
    private final BertLMPredictionHead head;
    private final String headScope;

    TrainableMaskedLM(E encoder, BertLMPredictionHead head, String headScope) {
        super(encoder, head.inference());
        this.encoder = encoder;
        this.head = head;
        this.headScope = headScope;
    }

    public BertLMPredictionHead head() {
        return head;
    }

    /**
     * One forward and backward pass of the masked-LM objective, as transformers' {@code …ForMaskedLM(labels=…)} under
     * {@code dropout}: logits only at the rows whose label is not −100, the mean cross-entropy over them, and every
     * parameter's gradient accumulated into {@code g} under transformers' names (the tied decoder's gradient is the word
     * embeddings').
     *
     * @param labels (T) per packed row: the token to predict, or {@link CrossEntropy#IGNORE_INDEX}
     * @return the loss (NaN when no row has a label)
     */
    @Override
    public double lossAndGradients(Kernels k, Batch batch, int[] labels, Gradients g, Dropout dropout) {
        return lossAndGradients(k, batch, labels, g, AttentionMask.BIDIRECTIONAL, dropout);
    }

    /**
     * {@link #lossAndGradients(Kernels, Batch, int[], Gradients, Dropout)} under {@code mask}: with {@link AttentionMask#CAUSAL}
     * and each row labelled with the next token of its sequence this is the causal-LM objective on the same weights
     * (transformers' {@code BertLMHeadModel} with {@code is_decoder=True} for BERT).
     */
    public double lossAndGradients(Kernels k, Batch batch, int[] labels, Gradients g, AttentionMask mask, Dropout dropout) {
        if (labels.length != batch.tokens()) throw new IllegalArgumentException(labels.length + " labels for " + batch.tokens() + " tokens");
        int[] rows = IntStream.range(0, labels.length).filter(i -> labels[i] != CrossEntropy.IGNORE_INDEX).toArray();
        TrainingState s = encoder.trainingState(batch, dropout);
        FloatTensor last = encoder.forwardTraining(k, s, mask, rows);                   // (T, hidden), read at the labelled rows only
        int h = last.dim(1);
        FloatTensor picked = last.gatherRows(rows);                                      // (m, hidden)
        int[] targets = new int[rows.length];
        for (int i = 0; i < rows.length; i++) targets[i] = labels[rows[i]];
        BertLMPredictionHead.Saved saved = head.forwardTraining(k, picked);
        FloatTensor dlogits = saved.logits();                                           // in place: nothing reads the logits after the loss
        double loss = CrossEntropy.lossAndGradient(k, saved.logits(), targets, dlogits);
        FloatTensor words = encoder.wordEmbeddings();
        Gradients headGrads = g.prefix(headScope);
        FloatTensor decoderGrad = head.decoderTiedTo(words)
                ? g.prefix(encoder.scope()).prefix(encoder.wordEmbeddingsKey()).tensor("weight", words.dim(0), words.dim(1))
                : headGrads.prefix(head.decoderKey()).tensor("weight", head.vocabSize(), head.width());
        FloatTensor dPicked = FloatTensor.zeros(rows.length, h);
        head.backward(k, saved, dlogits, dPicked, headGrads, decoderGrad);
        FloatTensor dLast = FloatTensor.zeros(last.dim(0), h);                           // zero except the labelled rows
        dPicked.scatterRows(rows, dLast);
        encoder.backward(k, s, dLast, g.prefix(encoder.scope()));
        return loss;
    }

    /**
     * Every trainable parameter by transformers' name (the encoder's, the head's), the tensors the forward reads, for an
     * optimiser to update in place. An int8 model refuses.
     */
    @Override
    public Parameters parameters() {
        Parameters p = new Parameters();
        encoder.parameters(p.prefix(encoder.scope()));
        head.parameters(p.prefix(headScope), encoder.wordEmbeddings());
        return p;
    }
}
