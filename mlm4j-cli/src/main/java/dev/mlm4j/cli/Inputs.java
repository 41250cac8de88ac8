package dev.mlm4j.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a command's texts come from: its arguments, a file ({@code --file F}, one text per line), or standard
 * input ({@code --file -}, or when no text is given and stdin is not a terminal). Input must be valid UTF-8:
 * a bad byte is an error naming the line, never a silent replacement character.
 *
 * <p>One policy for every command: each line of a file or of standard input is one {@link Line} with its number,
 * blank ones included, so that every line gets exactly one output record (an error record for a blank or unusable
 * line) and outputs can be joined back to inputs. An argument is not a line: a blank argument is refused.
 */
final class Inputs {
    private Inputs() {}

    /** A text and where it came from: its line number in the file or standard input (from 1), or 0 for an argument. */
    record Line(int number, String text) {
        boolean fromArgument() {
            return number == 0;
        }

        boolean blank() {
            return text.isBlank();
        }
    }

    /** What a blank line's error record says. */
    static final String EMPTY_LINE = "empty line";

    static List<Line> read(List<String> args, Path file) throws IOException {
        List<Line> texts = arguments(args);
        if (file != null) {
            if (file.toString().equals("-")) {
                texts.addAll(lines("standard input", System.in.readAllBytes()));
            } else {
                if (!Files.exists(file)) throw new IllegalArgumentException("no such file: " + file);
                if (Files.isDirectory(file)) throw new IllegalArgumentException(file + " is a folder, not a file");
                if (!Files.isReadable(file)) throw new IllegalArgumentException("permission denied: cannot read " + file);
                texts.addAll(lines(file.toString(), Files.readAllBytes(file)));
            }
        } else if (texts.isEmpty() && System.console() == null) {
            texts.addAll(lines("standard input", System.in.readAllBytes()));
        }
        if (texts.stream().allMatch(Line::blank)) {
            throw new IllegalArgumentException("no input text: give it as an argument, with --file FILE, or on standard input");
        }
        return texts;
    }

    /** The arguments as lines numbered 0; a blank one is refused. */
    static List<Line> arguments(List<String> args) {
        List<Line> texts = new ArrayList<>();
        if (args == null) return texts;
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).isBlank()) throw new IllegalArgumentException("text argument " + (i + 1) + " is empty; give a non-blank text");
            texts.add(new Line(0, args.get(i)));
        }
        return texts;
    }

    /** The texts alone, for commands that need every text usable (a blank line is an error naming it). */
    static List<String> texts(List<String> args, Path file) throws IOException {
        List<String> out = new ArrayList<>();
        for (Line l : read(args, file)) {
            if (l.blank()) throw new IllegalArgumentException("line " + l.number() + " is empty");
            out.add(l.text());
        }
        return out;
    }

    /** Every line of strictly decoded UTF-8, numbered from 1; a final newline ends the last line, it does not start another. */
    static List<Line> lines(String source, byte[] bytes) {
        String all;
        try {
            all = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            int bad = firstInvalidUtf8(bytes);
            int line = 1;
            for (int i = 0; i < bad && i < bytes.length; i++) if (bytes[i] == '\n') line++;
            throw new IllegalArgumentException(source + " is not valid UTF-8 (line " + line + ", byte " + bad + ")");
        }
        if (!all.isEmpty() && all.charAt(0) == '\uFEFF') all = all.substring(1);
        List<Line> out = new ArrayList<>();
        if (all.isEmpty()) return out;
        if (all.endsWith("\n")) all = all.substring(0, all.length() - 1);
        String[] split = all.split("\n", -1);
        for (int i = 0; i < split.length; i++) {
            String l = split[i].endsWith("\r") ? split[i].substring(0, split[i].length() - 1) : split[i];
            out.add(new Line(i + 1, l));
        }
        return out;
    }

    private static int firstInvalidUtf8(byte[] b) {
        ByteBuffer in = ByteBuffer.wrap(b);
        var out = java.nio.CharBuffer.allocate(b.length + 1);
        StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(in, out, true);
        return in.position();
    }
}
