package dev.mlm4j.pipelines;

import dev.mlm4j.config.Batch;
import dev.mlm4j.config.Precision;
import dev.mlm4j.kernels.Kernels;
import dev.mlm4j.model.Checkpoint;
import dev.mlm4j.model.ForwardOptions;
import dev.mlm4j.model.ReplacedTokenDetector;
import dev.mlm4j.model.Task;
import dev.mlm4j.tokens.Encoding;
import dev.mlm4j.tokens.Tokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Replaced-token detection, what ELECTRA's discriminator ({@code ElectraForPreTraining}) was trained for: for every
 * token of a text, the probability that it is not the original — sigmoid of transformers' {@code logits}, as in the
 * model card's example ({@code torch.round((torch.sign(logits) + 1) / 2)} marks the same tokens as {@code probability >
 * 0.5}). Special tokens ([CLS], [SEP]) are left out. Immutable and shared by all threads.
 */
public final class ReplacedTokenDetection {

    /** One token: its text, its character span in the input, and the probability that it was replaced. */
    public record Token(String token, int start, int end, double probability) {
        public boolean replaced() {
            return probability > 0.5;
        }
    }

    static final TaskHead.Kind KIND = new TaskHead.Kind("ForPreTraining", "replaced-token detector (ELECTRA discriminator)",
            "replaced-token-detection", "detect replaced tokens", "discriminator_predictions.*");

    private final ReplacedTokenDetector model;
    private final Tokenizer tokenizer;
    private final int maxLength;

    private ReplacedTokenDetection(ReplacedTokenDetector model, Tokenizer tokenizer, int maxLength) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
    }

    /** An {@code ElectraForPreTraining} folder; another head, or none, is a one-line error. */
    static ReplacedTokenDetection load(Path folder, String name, Precision precision) {
        try (Checkpoint c = Checkpoint.open(folder)) {
            TaskHead.config(c.folder().resolve("config.json"), name, KIND);
            ReplacedTokenDetector m = TaskHead.load(c, Task.REPLACED_TOKEN_DETECTION, precision, name, KIND);
            return new ReplacedTokenDetection(m, c.tokenizer(), Math.min(c.tokenizer().maxLength(), c.maxLength()));
        }
    }

    /** Every non-special token of {@code text} with its probability of having been replaced; a text too long is an error. */
    public List<Token> detect(String text) {
        Encoding e = tokenizer.encode(text, maxLength, false);
        float[] logits = model.logits(Kernels.get(), model.encoder().forward(Batch.of(e), ForwardOptions.DEFAULT));
        List<Token> tokens = new ArrayList<>();
        for (int i = 0; i < e.length(); i++) {
            if (e.special()[i]) continue;
            tokens.add(new Token(e.tokens()[i], e.start()[i], e.end()[i], 1 / (1 + Math.exp(-logits[i]))));
        }
        return tokens;
    }
}
