package dev.mlm4j.explorer;

import java.util.List;

/**
 * The model's guesses for one [MASK] of the text, from the same forward pass whose attention is shown.
 *
 * @param position   the [MASK]'s token index
 * @param candidates the most probable vocabulary tokens, most probable first
 */
public record MaskPrediction(int position, List<Candidate> candidates) {

    /** One vocabulary token and its probability (softmax over the whole vocabulary). */
    public record Candidate(int id, String token, double probability) {}

    public MaskPrediction {
        candidates = List.copyOf(candidates);
    }

    public Candidate best() {
        return candidates.getFirst();
    }
}
