package dev.mlm4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlm4j.pipelines.Models;
import dev.mlm4j.pipelines.Rerank;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "rerank",
        mixinStandardHelpOptions = true,
        description = {
                "Ranks passages by their relevance to a query with a cross-encoder, as sentence-transformers' CrossEncoder and TEI's /rerank.",
                "The model: a Hugging Face folder whose config.json names BertForSequenceClassification with one label.",
                "Example: ./mlm4j rerank -m ./my-cross-encoder --query \"How tall is the Eiffel Tower?\" \"It is 330 metres tall.\" \"Paris is in France.\"",
                "Passages come from the arguments, from --file (one per line; passage N is line N) or from standard input; a blank"
                        + " line is an error (the ranking needs every line). Each (query, passage) pair is tokenized together and truncated to the model's maximum length"
                        + " (tokenizer_config.json's model_max_length) as CrossEncoder does. Score = sigmoid(logit), as CrossEncoder.predict"
                        + " and TEI; --raw-scores gives the logit.",
                "Output: a table (rank, score, index, passage), best first. --json prints the reply of Hugging Face"
                        + " text-embeddings-inference's POST /rerank: [{\"index\", \"text\" (with --return-text), \"score\"}] sorted by score"
                        + " descending, index counting passages from 0."
        })
final class RerankCommand implements Callable<Integer> {

    @Parameters(paramLabel = "PASSAGE", arity = "0..*", description = "Passages to rank.")
    List<String> passages;

    @Option(names = {"-m", "--model"}, paramLabel = "<model>", required = true,
            description = "A cross-encoder: a sequence-classification model folder (or name) with one label.")
    String model;

    @Option(names = {"-q", "--query"}, paramLabel = "TEXT", required = true, description = "The query the passages are ranked for.")
    String query;

    @Option(names = {"-k", "--top-k"}, paramLabel = "K", description = "Only the K best passages (default: all).")
    Integer topK;

    @Option(names = "--raw-scores", description = "Scores are the logits, without the sigmoid (TEI's raw_scores).")
    boolean rawScores;

    @Option(names = "--return-text", description = "With --json, each entry carries its passage as \"text\" (TEI's return_text).")
    boolean returnText;

    @Option(names = "--no-truncate", description = "A pair over the model's maximum length is an error instead of truncated (TEI's truncate: false).")
    boolean noTruncate;

    @Mixin
    CommonOptions.TextJob job;

    @Override
    public Integer call() throws Exception {
        if (query.isBlank()) throw new IllegalArgumentException("--query is empty; give the text the passages are ranked for");
        if (topK != null && topK <= 0) throw new IllegalArgumentException("--top-k must be positive, got " + topK);
        Rerank.Options options = Rerank.Options.DEFAULT.withRawScores(rawScores).withReturnText(returnText || !job.json())
                .withTopK(topK == null ? 0 : topK).withTruncate(!noTruncate);
        List<Inputs.Line> lines = job.lines(passages);
        Rerank pipeline = Models.rerank(model, null, job.precision());
        PerLine.Checked input = job.check(lines, (line, position) -> pipeline.check(query, line.text(), options.truncate()));
        if (!input.errors().isEmpty()) {   // a ranking has no place for an error record: any bad passage fails the job
            throw new IllegalArgumentException("passage " + input.firstError() + " (the ranking needs every line)");
        }
        PerLine.Results<Float> scored = input.computeTexts("ranking", chunk -> {
            List<Float> l = new ArrayList<>(chunk.size());
            for (float x : pipeline.logits(query, chunk, options.truncate())) l.add(x);
            return l;
        });
        float[] logits = new float[lines.size()];
        for (int i = 0; i < logits.length; i++) logits[i] = scored.results().get(i);
        List<Rerank.Result> ranked = Rerank.ranked(logits, lines.stream().map(Inputs.Line::text).toList(), options);
        if (job.json()) {
            System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(Rerank.toJson(ranked)));
        } else {
            System.out.print(table(query, ranked, rawScores));
        }
        return 0;
    }

    static String table(String query, List<Rerank.Result> ranked, boolean raw) {
        StringBuilder sb = new StringBuilder("query: ").append(query).append('\n');
        sb.append(String.format(Locale.ROOT, "%4s  %9s  %5s  %s%n", "rank", raw ? "logit" : "score", "index", "passage"));
        int rank = 1;
        for (Rerank.Result r : ranked) {
            sb.append(String.format(Locale.ROOT, "%4d  %9.4f  %5d  %s%n", rank++, r.score(), r.index(), r.text()));
        }
        return sb.toString();
    }
}
