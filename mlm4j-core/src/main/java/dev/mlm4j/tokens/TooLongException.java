package dev.mlm4j.tokens;

/**
 * A text with more tokens than allowed while truncation is off. The message says so in words no front end owns
 * ("…; turn truncation on to keep its first 512"); a front end names its own switch with {@link #withHint}
 * (the CLI: "use --truncate", the server: "send \"truncate\": true").
 */
public final class TooLongException extends IllegalArgumentException {
    private final String problem;
    private final int keep;

    /**
     * @param problem what is too long, without a hint ("text 2 is 602 tokens, over the model's maximum of 512")
     * @param keep    how many tokens truncation would keep
     */
    public TooLongException(String problem, int keep) {
        super(problem + "; turn truncation on to keep its first " + keep);
        this.problem = problem;
        this.keep = keep;
    }

    public String problem() {
        return problem;
    }

    public int keep() {
        return keep;
    }

    /** The message with the front end's way of turning truncation on: {@code withHint("use --truncate")}. */
    public String withHint(String howToTruncate) {
        return problem + "; " + howToTruncate + " to keep its first " + keep;
    }
}
