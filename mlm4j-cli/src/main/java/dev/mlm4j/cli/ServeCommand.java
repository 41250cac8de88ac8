package dev.mlm4j.cli;

import dev.mlm4j.server.MlmServer;
import dev.mlm4j.server.ServedModel;
import dev.mlm4j.server.ServerOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

@Command(name = "serve",
        mixinStandardHelpOptions = true,
        description = {
                "Serves models over HTTP: TEI's routes (/embed, /embed_all, /similarity, /tokenize, /decode),",
                "OpenAI's /v1/embeddings, /fill-mask, /attention, /health, /info, /metrics, /openapi.json and /docs,",
                "and the interactive attention page at /.",
                "Task models, one per option, each answer their own route: --classifier DIR for TEI's /predict (text",
                "classification), --reranker DIR for TEI's /rerank, --ner DIR for /token-classification and --qa DIR for",
                "/question-answering. Unlike TEI (one model per process), one server serves them all; a route whose model",
                "was not given answers 424. With task options and no --model, only the task models are served.",
                "Example: ./mlm4j serve --port 8080, then open http://127.0.0.1:8080/",
                "SIGTERM or Ctrl-C stops it gracefully: in-flight requests finish, new ones get 503, exit 0.",
                "With an API key: MLM4J_API_KEY=secret ./mlm4j serve (not --api-key, which other users see in `ps`)."
        })
final class ServeCommand implements Callable<Integer> {

    static final List<String> DEFAULT_MODELS = List.of("all-MiniLM-L6-v2", "bert-base-uncased");

    @Option(names = {"-m", "--model"}, paramLabel = "NAME|PATH|ALIAS=PATH",
            description = "A model to serve (repeatable), addressed by this name in requests; the first listed is the default."
                    + " Default: all-MiniLM-L6-v2 (embeddings) and bert-base-uncased (fill-mask, attention); none when a task"
                    + " option (--classifier, --reranker, --ner, --qa) is given.")
    List<String> models = new ArrayList<>();

    @Option(names = "--classifier", paramLabel = "[NAME=]DIR",
            description = "A text-classification model (a folder whose config.json names *ForSequenceClassification: sentiment,"
                    + " topics, NLI) for POST /predict, TEI's route. Loaded at start; a folder without the classifier head is an error.")
    String classifier;

    @Option(names = "--ner", paramLabel = "[NAME=]DIR",
            description = "A token-classification model (*ForTokenClassification: NER, POS tagging) for POST /token-classification,"
                    + " Hugging Face's token-classification JSON. Loaded at start; a folder without the head is an error.")
    String ner;

    @Option(names = "--reranker", paramLabel = "[NAME=]DIR",
            description = "A cross-encoder (a sequence classifier with one label, e.g. a sentence-transformers CrossEncoder) for"
                    + " POST /rerank, TEI's route. Loaded at start; a folder that is not a one-label classifier is an error.")
    String reranker;

    @Option(names = "--qa", paramLabel = "[NAME=]DIR",
            description = "An extractive question-answering model (*ForQuestionAnswering) for POST /question-answering,"
                    + " Hugging Face's question-answering JSON. Loaded at start; a folder without the qa_outputs head is an error.")
    String qa;

    @Option(names = {"-p", "--port"}, defaultValue = "8080", description = "TCP port (0: any free one). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Address to bind. Default: ${DEFAULT-VALUE} (this machine only); 0.0.0.0 for every interface.")
    String host;

    @Option(names = "--max-batch-tokens", defaultValue = "16384", description = "Token budget of one batch. Default: ${DEFAULT-VALUE}.")
    int maxBatchTokens;

    @Option(names = "--max-batch-wait-ms", defaultValue = "2",
            description = "How long an idle model waits for more requests to join a batch. Default: ${DEFAULT-VALUE}.")
    long maxBatchWaitMillis;

    @Option(names = "--payload-limit", defaultValue = "2000000", description = "Largest request body in bytes. Default: ${DEFAULT-VALUE}.")
    long payloadLimit;

    @Option(names = "--max-client-batch-size", defaultValue = "32", description = "Most inputs in one request. Default: ${DEFAULT-VALUE}.")
    int maxClientBatchSize;

    @Option(names = "--max-concurrent-requests", defaultValue = "512",
            description = "Requests queued or computing at once; more are answered 429 with Retry-After. Default: ${DEFAULT-VALUE}.")
    int maxConcurrentRequests;

    @Option(names = "--request-timeout-ms", defaultValue = "60000",
            description = "Longest a request may wait and compute before it is answered 503. Default: ${DEFAULT-VALUE}.")
    long requestTimeoutMillis;

    @Option(names = "--auto-truncate", description = "Cut over-long inputs to the model's maximum even when a request does not ask to.")
    boolean autoTruncate;

    @Option(names = "--api-key", paramLabel = "KEY",
            description = "Require 'Authorization: Bearer KEY' on every route but /health. Prefer the environment variable"
                    + " MLM4J_API_KEY: a key given here is visible to every user of the machine in `ps`.")
    String apiKey;

    @Option(names = "--cors-allow-origin", paramLabel = "ORIGIN",
            description = "Allow browser pages from ORIGIN (repeatable; '*' for any). Default: no CORS.")
    List<String> corsOrigins = new ArrayList<>();

    @Option(names = "--shutdown-grace-ms", defaultValue = "30000",
            description = "On SIGTERM, how long in-flight requests get to finish. Default: ${DEFAULT-VALUE}.")
    long shutdownGraceMillis;

    @Option(names = "--body-read-timeout-ms", defaultValue = "30000",
            description = "Longest a client may take to send a request body, in total (408 beyond); no slot is held meanwhile."
                    + " Default: ${DEFAULT-VALUE}.")
    long bodyReadTimeoutMillis;

    @Option(names = "--max-reply-bytes", defaultValue = "67108864",
            description = "Largest reply one request may ask for, estimated before computing (fill-mask: masks × top_k;"
                    + " tokenize: tokens; embed_all: tokens × hidden size; attention: layers × heads × tokens²); 413 beyond."
                    + " Replies being built hold at most 4× this in all (429 beyond). Default: ${DEFAULT-VALUE} (64 MiB).")
    long maxReplyBytes;

    @Option(names = "--max-admitted-tokens", defaultValue = "65536",
            description = "Tokens queued or computing at once, all models together; more are answered 429. Default: ${DEFAULT-VALUE}.")
    int maxAdmittedTokens;

    @Override
    public Integer call() throws Exception {
        if (apiKey != null) {
            System.err.println("mlm4j serve: warning: --api-key is visible to every user of this machine in `ps`;"
                    + " set MLM4J_API_KEY in the environment instead");
        }
        String key = apiKey != null ? apiKey : System.getenv("MLM4J_API_KEY");
        ServerOptions options = new ServerOptions(host, port, maxBatchTokens, maxBatchWaitMillis, payloadLimit,
                maxClientBatchSize, maxConcurrentRequests, requestTimeoutMillis, autoTruncate,
                key == null || key.isEmpty() ? null : key, corsOrigins, shutdownGraceMillis,
                bodyReadTimeoutMillis, maxReplyBytes, maxAdmittedTokens);
        Map<ServedModel.Task, String> tasks = new LinkedHashMap<>();
        if (classifier != null) tasks.put(ServedModel.Task.TEXT_CLASSIFICATION, classifier);
        if (ner != null) tasks.put(ServedModel.Task.TOKEN_CLASSIFICATION, ner);
        if (reranker != null) tasks.put(ServedModel.Task.RERANK, reranker);
        if (qa != null) tasks.put(ServedModel.Task.QUESTION_ANSWERING, qa);
        // Javalin and Jetty start beside the loads instead of after them; the port is bound once the models are in
        // (MlmServer.startWhenLoaded). Every way out of the loads below completes `loaded`, which stops that start.
        CompletableFuture<List<ServedModel>> loaded = new CompletableFuture<>();
        FutureTask<MlmServer> starting = new FutureTask<>(() -> MlmServer.startWhenLoaded(options, loaded));
        Thread.ofPlatform().daemon().name("mlm4j-http-start").start(starting);
        try {
            loaded.complete(loadModels(tasks));
        } catch (Throwable e) {
            loaded.completeExceptionally(e);
            throw e;
        }
        MlmServer server = unwrap(starting);
        for (String sig : List.of("TERM", "INT")) {
            Signal.handle(new Signal(sig), s -> Thread.ofPlatform().name("mlm4j-shutdown").start(() -> {
                System.err.println("mlm4j serve: SIG" + sig + ": finishing " + server.inFlight() + " request(s) in flight, then exiting");
                server.stop();
            }));
        }
        StringBuilder what = new StringBuilder();
        for (ServedModel m : server.models()) {
            what.append(what.isEmpty() ? "" : ", ").append(m.name()).append(' ')
                    .append(m.tasks().stream().map(ServedModel.Task::label).toList());
        }
        System.err.println("mlm4j serve: listening on " + server.baseUrl() + " — " + what
                + (options.apiKey() != null ? "; API key required" : "") + "; SIGTERM or Ctrl-C stops it");
        server.awaitStop();
        System.err.println("mlm4j serve: stopped");
        return 0;
    }

    /** The models of --model (or the default pair) and of the task options, fetched one at a time, then loaded side by side. */
    private List<ServedModel> loadModels(Map<ServedModel.Task, String> tasks) throws Exception {
        // Every model's files first, one at a time (a first download draws its own progress bar), then the loads side by
        // side, one thread each: the default pair (all-MiniLM-L6-v2 and bert-base-uncased) answered its first /fill-mask
        // after 2.07 s instead of 2.23 (medians of 6 alternating starts; the two cores are shared with the JIT).
        List<Callable<ServedModel>> loads = new ArrayList<>();
        for (String spec : models.isEmpty() && tasks.isEmpty() ? DEFAULT_MODELS : models) {
            ServedModel.fetch(spec, null);
            loads.add(() -> ServedModel.load(spec, null));
        }
        for (var t : tasks.entrySet()) {
            try {
                ServedModel.fetch(t.getValue(), null);
            } catch (IllegalArgumentException e) {
                throw forOption(t.getKey(), t.getValue(), e);
            }
            loads.add(() -> {
                try {
                    return ServedModel.loadTask(t.getKey(), t.getValue(), null);
                } catch (IllegalArgumentException e) {
                    throw forOption(t.getKey(), t.getValue(), e);
                }
            });
        }
        return loadAll(loads);
    }

    /** The server {@code starting} made, or what it threw, as thrown. */
    private static MlmServer unwrap(FutureTask<MlmServer> starting) throws Exception {
        try {
            return starting.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) throw cause;
            if (e.getCause() instanceof Error error) throw error;
            throw e;
        }
    }

    /** A task model's error, prefixed with the option and value that named it ({@code --classifier DIR: …}). */
    private static IllegalArgumentException forOption(ServedModel.Task task, String spec, IllegalArgumentException e) {
        return new IllegalArgumentException(task.option() + " " + spec + ": " + e.getMessage(), e);
    }

    /**
     * Runs each load on a thread of its own and returns the models in the order given; when loads fail, the first of
     * them in that order is thrown as it was thrown (the others are left to finish on their daemon threads).
     */
    static List<ServedModel> loadAll(List<Callable<ServedModel>> loads) throws Exception {
        List<FutureTask<ServedModel>> tasks = new ArrayList<>();
        for (Callable<ServedModel> load : loads) tasks.add(new FutureTask<>(load));
        for (int i = 0; i < tasks.size(); i++) Thread.ofPlatform().daemon().name("mlm4j-load-" + i).start(tasks.get(i));
        List<ServedModel> served = new ArrayList<>();
        for (FutureTask<ServedModel> task : tasks) {
            try {
                served.add(task.get());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Exception cause) throw cause;
                if (e.getCause() instanceof Error error) throw error;
                throw e;
            }
        }
        return served;
    }
}
