package dev.mlm4j.server;

import java.util.List;

/** The models the tests serve (all-MiniLM-L6-v2 for most, bert-base-uncased where fill-mask or attention need it), loaded once per JVM (Models caches them), and servers on free loopback ports. */
final class TestServers {
    private TestServers() {}

    static final String BERT = "bert-base-uncased";
    static final String MINILM = "all-MiniLM-L6-v2";

    private static volatile ServedModel bert, miniLm;

    /** all-MiniLM-L6-v2: small, embeddings. */
    static synchronized ServedModel miniLm() {
        if (miniLm == null) miniLm = ServedModel.load(MINILM, null);
        return miniLm;
    }

    static synchronized ServedModel bert() {
        if (bert == null) bert = ServedModel.load(BERT, null);
        return bert;
    }

    /** Default options on an ephemeral loopback port. */
    static ServerOptions options() {
        return ServerOptions.DEFAULT.withPort(0);
    }

    static MlmServer start(ServerOptions options, ServedModel... models) {
        return MlmServer.start(options, List.of(models));
    }
}
