package dev.mlm4j.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.pipelines.QuestionAnswering;
import dev.mlm4j.pipelines.QuestionAnswering.Answer;
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
import java.util.HashMap;
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
                        + " The same answer found in several windows or spans scores the sum of their scores (as transformers 4.x), so a score"
                        + " can exceed 1. Contexts longer than --max-seq-len tokens are read in windows overlapping by --doc-stride tokens.",
                "--file F reads JSON Lines, one {\"question\": \"…\", \"context\": \"…\"} per line ('-' for standard input); every line"
                        + " gets one result, in order; a blank or unusable line gets an error in its place (--json: {\"line\": N, \"error\": \"…\"})"
                        + " and a warning on stderr, and the exit status stays 0. A long file shows a progress bar on stderr.",
                "--json prints Hugging Face's reply: one {\"score\", \"start\", \"end\", \"answer\"} for one answer, a list of them"
                        + " for several (--top-k); start/end are character offsets into the context; with --file a list of those, one per line."
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
            description = "JSON Lines of {\"question\": …, \"context\": …} ('-' for standard input); one result per line.")
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
    /** One JSON value per line and nothing after it: {@code {…} trailing} is not JSON Lines. */
    private static final ObjectReader LINE = JSON.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

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
        QuestionAnswering.Input input = input(question, ctx);
        QuestionAnswering qa = Models.questionAnswering(model, null, int8.precision());
        List<Answer> answers = qa.answer(input, options);
        if (json.on) {
            System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(QuestionAnswering.toJson(ctx, answers)));
        } else {
            System.out.print(table(answers));
        }
        return 0;
    }

    /**
     * The lines of --file through the flow every per-line command shares ({@link PerLine}): each checked first (JSON,
     * question and context, room in the window), then answered; HF's reply for one line, a list with one entry per line
     * (an error record for a bad one) for several, or the table; a warning on stderr when some lines have errors.
     */
    private int answerFile(QuestionAnswering.Options options) throws Exception {
        List<Inputs.Line> lines = Inputs.read(null, file);
        QuestionAnswering qa = Models.questionAnswering(model, null, int8.precision());
        Map<Integer, QuestionAnswering.Input> inputs = new HashMap<>();
        PerLine.Checked checked = PerLine.check(lines, file, (line, position) -> {
            QuestionAnswering.Input in = parse(line);
            qa.check(in, options);
            inputs.put(position, in);
        });
        checked.requireUsable("no line of " + (file.toString().equals("-") ? "standard input" : file.toString()) + " can be answered");
        PerLine.Results<List<Answer>> results = checked.compute("answering",
                positions -> positions.stream().map(p -> qa.answer(inputs.get(p), options)).toList());
        results.print(json.on, (position, answers, alone) -> QuestionAnswering.toJson(inputs.get(position).context(), answers), true,
                (sb, answers) -> sb.append(table(answers).indent(2)));
        results.warnIfAny("an answer");
        return 0;
    }

    /** A line of the --file: a JSON object with string "question" and "context"; anything else is that line's error. */
    static QuestionAnswering.Input parse(Inputs.Line l) {
        JsonNode o;
        try {
            o = LINE.readTree(l.text());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
        if (o == null || !o.isObject()) throw new IllegalArgumentException("not a JSON object {\"question\": …, \"context\": …}");
        for (String k : new String[]{"question", "context"}) {
            if (!o.hasNonNull(k)) throw new IllegalArgumentException("no \"" + k + "\" (expected {\"question\": …, \"context\": …})");
            if (!o.get(k).isTextual()) throw new IllegalArgumentException("\"" + k + "\" must be a string");
        }
        return input(o.get("question").asText(), o.get("context").asText());
    }

    /**
     * The input; a question or context of only whitespace is refused as an empty one (QuestionAnswering.Input refuses
     * only an empty one, as Hugging Face), since every other command treats a blank text as empty.
     */
    static QuestionAnswering.Input input(String question, String context) {
        if (question.isBlank()) throw new IllegalArgumentException("the question is empty: there is nothing to answer");
        if (context.isBlank()) throw new IllegalArgumentException("the context is empty: a question needs a context to find its answer in");
        return new QuestionAnswering.Input(question, context);
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
