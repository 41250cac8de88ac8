package dev.mlm4j.cli;

import dev.mlm4j.tokens.WordPieceTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "vocab",
        mixinStandardHelpOptions = true,
        description = {
                "Trains a WordPiece vocabulary (vocab.txt) on plain text, for pre-training from scratch ('./mlm4j train mlm --from-scratch').",
                "The text goes through BERT's normaliser and pre-tokenizer; the vocabulary is the special tokens [PAD] [UNK] [CLS] [SEP] [MASK],",
                "every character seen (bare and ##-continued), then the most frequent adjacent pieces merged until --size:",
                "Hugging Face tokenizers' WordPieceTrainer algorithm (BPE merges with ## continuation). See docs/TRAINING.md.",
                "Example: ./mlm4j vocab --train brown-split/train.txt --size 8000 --output vocab.txt"
        })
final class VocabCommand implements Callable<Integer> {

    @Option(names = "--train", required = true, paramLabel = "FILE", description = "Plain text, UTF-8.")
    Path train;

    @Option(names = "--size", required = true, description = "Entries of the vocabulary (special tokens and characters included).")
    int size;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The vocab.txt to write, one token a line.")
    Path output;

    @Option(names = "--cased", description = "Keep case and accents (default: lower-case and strip accents, as bert-base-uncased).")
    boolean cased;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(train)) throw new IllegalArgumentException("no such file: " + train);
        List<String> vocab = WordPieceTrainer.train(train, size, !cased);
        // an empty or blank file gave the special tokens alone, and a model trained on that vocabulary saw only [UNK]
        if (vocab.size() <= WordPieceTrainer.SPECIALS.size()) throw new IllegalArgumentException("no text in " + train);
        try (OutputFile out = OutputFile.open(output)) {
            for (String t : vocab) {
                out.writer().write(t);
                out.writer().write('\n');
            }
            out.commit();
        }
        System.out.printf("wrote %s: %d tokens%s%n", output, vocab.size(), vocab.size() < size ? " (no more pairs to merge)" : "");
        return 0;
    }
}
