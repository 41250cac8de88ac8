package dev.mlm4j.cli;

import java.io.IOException;
import java.io.InputStream;
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
 */
final class Inputs {
    private Inputs() {}

    static List<String> texts(List<String> args, Path file) throws IOException {
        List<String> texts = new ArrayList<>();
        if (args != null) texts.addAll(args);
        if (file != null) {
            if (file.toString().equals("-")) {
                texts.addAll(lines("standard input", System.in.readAllBytes()));
            } else {
                if (!Files.exists(file)) throw new IllegalArgumentException("no such file: " + file);
                if (!Files.isReadable(file) || Files.isDirectory(file)) throw new IllegalArgumentException("cannot read " + file);
                texts.addAll(lines(file.toString(), Files.readAllBytes(file)));
            }
        } else if (texts.isEmpty() && System.console() == null) {
            InputStream in = System.in;
            texts.addAll(lines("standard input", in.readAllBytes()));
        }
        if (texts.isEmpty()) throw new IllegalArgumentException("no input text: give it as an argument, with --file FILE, or on standard input");
        return texts;
    }

    /** Non-blank lines of strictly decoded UTF-8. */
    static List<String> lines(String source, byte[] bytes) {
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
        List<String> out = new ArrayList<>();
        for (String l : all.split("\r?\n")) if (!l.isBlank()) out.add(l);
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
