package dev.mlm4j.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.pipelines.QuestionAnswering;
import dev.mlm4j.pipelines.QuestionAnswering.Answer;
import dev.mlm4j.util.Progress;
import dev.mlm4j.util.ProgressListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "answer",
        mixinStandardHelpOptions = true,
        description = {
                "Answers a question from a context with an extractive question-answering model (a Hugging Face folder whose"
                        + " config.json names BertForQuestionAnswering), as Hugging Face's question-answering pipeline (transformers 4.x).",
                "Example: ./mlm4j answer -m ./bert-qa --question \"Where is the Eiffel Tower?\" --context \"The Eiffel Tower is in Paris.\"",
                "The answer is a span of the context: its score (p_start·p_end), its character offsets start..end and its text."
                        + " Contexts longer than --max-seq-len tokens are read in windows overlapping by --doc-stride tokens.",
                "--file F reads JSON Lines, one {\"question\": \"…\", \"context\": \"…\"} per line ('-' for standard input), and writes one"
                        + " JSON line per input line, in order: Hugging Face's reply for it, or {\"line\": N, \"error\": \"…\"} for a blank or"
                        + " unusable line (with a warning on stderr; the exit status stays 0). A progress bar goes to stderr.",
                "--json prints Hugging Face's reply: one {\"score\", \"start\", \"end\", \"answer\"} for one answer, a list of them"
                        + " for several (--top-k); start/end are character offsets into the context."
        })
final class AnswerCommand implements Callable<Integer> {

    @Option(names = {"-m", "--model"}, paramLabel = "<model>", required = true,
            description = "A question-answering model: folder (or name) with qa_outputs.* weights.")
    String model;

    @Option(names = {"-q", "--question"}, paramLabel = "TEXT", description = "The question.")
    String question;

    @Option(names = {"-c", "--context"}, paramLabel = "TEXT", description = "The text to find the answer in.")
    String context;

    @Option(names = "--context-file", paramLabel = "FILE", description = "Read the context from FILE (UTF-8, taken whole).")
    Path contextFile;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE",
            description = "JSON Lines of {\"question\": …, \"context\": …} ('-' for standard input); one JSON line out per line in.")
    Path file;

    @Option(names = {"-k", "--top-k"}, paramLabel = "K", defaultValue = "1", description = "Answers per question, best first (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--max-answer-len", paramLabel = "N", defaultValue = "15", description = "Longest answer in tokens (default: ${DEFAULT-VALUE}).")
    int maxAnswerLen;

    @Option(names = "--max-seq-len", paramLabel = "N",
            description = "Longest window in tokens, question and [CLS]/[SEP] included (default: min(the tokenizer's maximum, 384)).")
    Integer maxSeqLen;

    @Option(names = "--doc-stride", paramLabel = "N",
            description = "Tokens each context window overlaps the previous one (default: min(max-seq-len / 2, 128)).")
    Integer docStride;

    @Option(names = "--handle-impossible-answer",
            description = "Let \"no answer\" (an empty answer at 0..0, scored by [CLS]) compete with the spans.")
    boolean handleImpossibleAnswer;

    @Option(names = "--align-to-words", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Widen answers to whole words of the context (default; --no-align-to-words: token boundaries).")
    boolean alignToWords;

    @Mixin
    CommonOptions.Int8 int8;

    @Mixin
    CommonOptions.Json json;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        QuestionAnswering.Options options = QuestionAnswering.Options.DEFAULT.withTopK(topK).withMaxAnswerLen(maxAnswerLen)
                .withMaxSeqLen(maxSeqLen).withDocStride(docStride).withHandleImpossibleAnswer(handleImpossibleAnswer).withAlignToWords(alignToWords);
        if (file != null) {
            if (question != null || context != null || contextFile != null) {
                throw new IllegalArgumentException("give either --file or --question with --context/--context-file, not both");
            }
            return answerFile(options);
        }
        if (question == null) throw new IllegalArgumentException("no question: give --question TEXT (or --file F of JSON Lines)");
        if (context != null && contextFile != null) throw new IllegalArgumentException("give --context or --context-file, not both");
        if (context == null && contextFile == null) {
            throw new IllegalArgumentException("no context: a question needs a context to find its answer in (--context TEXT or --context-file F)");
        }
        String ctx = context != null ? context : readWhole(contextFile);
        QuestionAnswering.Input input = new QuestionAnswering.Input(question, ctx);
        QuestionAnswering qa = Models.questionAnswering(model, null, int8.precision());
        List<Answer> answers = qa.answer(input, options);
        if (json.on) {
            System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(QuestionAnswering.toJson(ctx, answers)));
        } else {
            System.out.print(table(answers));
        }
        return 0;
    }

    /** One JSON line per input line: HF's reply, or an error record; a warning on stderr when some lines have errors. */
    private int answerFile(QuestionAnswering.Options options) throws IOException {
        boolean stdin = file.toString().equals("-");
        TextFile text = stdin ? null : new TextFile(file);
        List<Inputs.Line> lines = new ArrayList<>();
        if (stdin) lines.addAll(Inputs.lines("standard input", System.in.readAllBytes()));
        else text.forEach(lines::add);
        String source = stdin ? "standard input" : file.toString();
        if (lines.isEmpty()) throw new IllegalArgumentException("no input: " + source + " is empty");
        QuestionAnswering qa = Models.questionAnswering(model, null, int8.precision());
        // pass 1, before any output: every line parsed and checked (tokenized), so bad lines are known up front
        List<QuestionAnswering.Input> inputs = new ArrayList<>(lines.size());
        List<String> errors = new ArrayList<>();
        long total = 0;
        for (Inputs.Line l : lines) {
            QuestionAnswering.Input in = null;
            try {
                in = parse(l);
                qa.check(in, options);
                total += l.text().getBytes(StandardCharsets.UTF_8).length + 1;
            } catch (IllegalArgumentException e) {
                in = null;  // the line's error record takes its place
                errors.add("line " + l.number() + ": " + Errors.oneLine(e.getMessage()));
            }
            inputs.add(in);
        }
        if (errors.size() == lines.size()) {
            throw new IllegalArgumentException("no line of " + source + " can be answered (" + errors.getFirst() + ")");
        }
        ProgressListener progress = Progress.stderr();
        progress.start("answering " + (stdin ? source : file.getFileName()) + ": " + (lines.size() - errors.size()) + " questions", total);
        List<String> out = new ArrayList<>(lines.size());
        try {
            long done = 0;
            int e = 0;
            for (int i = 0; i < lines.size(); i++) {
                Inputs.Line l = lines.get(i);
                QuestionAnswering.Input in = inputs.get(i);
                Object record;
                if (in == null) {
                    String why = errors.get(e++);
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("line", l.number());
                    r.put("error", why.substring(why.indexOf(": ") + 2));
                    record = r;
                } else {
                    record = QuestionAnswering.toJson(in.context(), qa.answer(in, options));
                    done += l.text().getBytes(StandardCharsets.UTF_8).length + 1;
                    progress.update(done);
                }
                out.add(JSON.writeValueAsString(record));
            }
        } finally {
            progress.finish();
        }
        for (String s : out) System.out.println(s);
        if (!errors.isEmpty()) {
            System.err.println("mlm4j: warning: " + errors.size() + " of " + lines.size() + " lines have an \"error\" record instead of an answer ("
                    + errors.getFirst() + (errors.size() > 1 ? ", …" : "") + ")");
        }
        return 0;
    }

    /** A line of the --file: a JSON object with string "question" and "context"; anything else is that line's error. */
    static QuestionAnswering.Input parse(Inputs.Line l) {
        if (l.blank()) throw new IllegalArgumentException(Inputs.EMPTY_LINE);
        JsonNode o;
        try {
            o = JSON.readTree(l.text());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
        if (o == null || !o.isObject()) throw new IllegalArgumentException("not a JSON object {\"question\": …, \"context\": …}");
        for (String k : new String[]{"question", "context"}) {
            if (!o.hasNonNull(k)) throw new IllegalArgumentException("no \"" + k + "\" (expected {\"question\": …, \"context\": …})");
            if (!o.get(k).isTextual()) throw new IllegalArgumentException("\"" + k + "\" must be a string");
        }
        return new QuestionAnswering.Input(o.get("question").asText(), o.get("context").asText());
    }

    static String readWhole(Path f) throws IOException {
        if (!Files.isRegularFile(f) || !Files.isReadable(f)) throw new IllegalArgumentException(Files.exists(f) ? "cannot read " + f : "no such file: " + f);
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(Files.readAllBytes(f))).toString();
            return s.startsWith("\uFEFF") ? s.substring(1) : s;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(f + " is not valid UTF-8");
        }
    }

    /** Score, character span and text of each answer, best first; the impossible answer shows as "(no answer)". */
    static String table(List<Answer> answers) {
        StringBuilder sb = new StringBuilder();
        for (Answer a : answers) {
            sb.append(String.format(Locale.ROOT, "%.4f  %4d..%-4d %s%n", a.score(), a.start(), a.end(), a.answer().isEmpty() ? "(no answer)" : a.answer()));
        }
        return sb.toString();
    }
}
