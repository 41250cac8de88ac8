package dev.mlm4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile and random request bodies against every POST route: never a 500, always a JSON error body for
 * a refusal, and the server still answers afterwards.
 */
class FuzzTest {

    static final List<String> ROUTES = List.of("/embed", "/embed_all", "/similarity", "/v1/embeddings", "/tokenize",
            "/decode", "/fill-mask", "/attention");
    static final List<String> FIELDS = List.of("inputs", "input", "model", "top_k", "targets", "causal", "truncate",
            "normalize", "dimensions", "encoding_format", "ids", "skip_special_tokens", "add_special_tokens", "parameters",
            "source_sentence", "sentences", "text", "layer", "head", "layers", "heads", "pair", "prompt_name", "user");
    static final Set<Integer> ALLOWED = Set.of(200, 400, 404, 413, 422);

    static MlmServer server;
    static Http http;

    @BeforeContainer
    static void start() {
        server = TestServers.start(TestServers.options().withPayloadLimit(200_000), TestServers.miniLm(), TestServers.bert());
        http = new Http(server.baseUrl());
    }

    @AfterContainer
    static void stop() {
        if (server != null) {
            assertEquals(200, http.get("/health").status(), "the server survived the fuzzing");
            server.stop();
        }
    }

    static void check(String route, byte[] body) {
        Http.Reply r = http.post(route, body);
        assertTrue(ALLOWED.contains(r.status()), route + " " + new String(body, StandardCharsets.UTF_8) + " → " + r);
        if (r.status() != 200) {
            JsonNode j = r.json();
            assertTrue(j.get("error").isTextual(), r.toString());
            assertTrue(j.get("error_type").isTextual(), r.toString());
        }
    }

    @Property(tries = 300)
    void randomJsonNeverGives500(@ForAll("routes") String route, @ForAll("bodies") Object body) throws Exception {
        check(route, Http.JSON.writeValueAsBytes(body));
    }

    @Property(tries = 150)
    void randomBytesNeverGive500(@ForAll("routes") String route, @ForAll byte[] body) {
        check(route, body);
    }

    @Example
    void hostileBodies() {
        List<byte[]> bodies = new ArrayList<>();
        bodies.add("[".repeat(100_000).getBytes());                                        // deep nesting
        bodies.add(("{\"inputs\":" + "[".repeat(5000) + "]".repeat(5000) + "}").getBytes());
        bodies.add("{\"inputs\":\"a [MASK]\",\"top_k\":1e999999}".getBytes());            // huge numbers
        bodies.add("{\"inputs\":\"a [MASK]\",\"top_k\":123456789012345678901234567890}".getBytes());
        bodies.add(("{\"ids\":[" + "9".repeat(60) + "]}").getBytes());
        bodies.add(("{\"ids\":[" + "9".repeat(5000) + "]}").getBytes());
        bodies.add("{\"inputs\":\"a [MASK]\",\"top_k\":-2147483649}".getBytes());
        bodies.add("{\"inputs\":\"a [MASK]\",\"top_k\":NaN}".getBytes());
        bodies.add(new byte[] {'{', '"', 'i', 'n', 'p', 'u', 't', 's', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}); // invalid UTF-8
        bodies.add(new byte[] {'{', '"', 'i', 'n', 'p', 'u', 't', 's', '"', ':', '"', (byte) 0xF8, (byte) 0x88, (byte) 0x80, '"', '}'});
        bodies.add("{\"inputs\":\"\\ud800 [MASK] \\udfff\"}".getBytes());                  // lone surrogates
        bodies.add("{\"inputs\":\"a [MASK]\"} trailing".getBytes());
        bodies.add("{\"inputs\":\"a [MASK]\",\"inputs\":\"b [MASK]\"}".getBytes());        // duplicate key
        bodies.add("{\"inputs\":[\"a [MASK]\", null]}".getBytes());
        bodies.add("{\"inputs\":{\"source_sentence\":1,\"sentences\":\"x\"}}".getBytes());
        bodies.add("{\"input\":[[1,2,3],[-5]],\"model\":\"all-MiniLM-L6-v2\"}".getBytes());
        bodies.add("{\"input\":[[]],\"model\":\"x\"}".getBytes());
        bodies.add("{\"inputs\":\"\\u0000[MASK]\\u0000\"}".getBytes());
        bodies.add("null".getBytes());
        bodies.add("\"just a string\"".getBytes());
        bodies.add(new byte[0]);
        bodies.add(("{\"inputs\":\"" + "[MASK]".repeat(20_000) + "\",\"truncate\":true}").getBytes());
        for (String route : ROUTES) for (byte[] b : bodies) check(route, b);
    }

    @Provide
    Arbitrary<String> routes() {
        return Arbitraries.of(ROUTES);
    }

    @Provide
    Arbitrary<Object> bodies() {
        return objects(3);
    }

    /** JSON objects whose keys are mostly the fields the routes read, with values of every type. */
    static Arbitrary<Object> objects(int depth) {
        Arbitrary<String> keys = Arbitraries.oneOf(Arbitraries.of(FIELDS), Arbitraries.strings().ofMaxLength(8));
        return Arbitraries.maps(keys, values(depth)).ofMaxSize(5).map(m -> (Object) new LinkedHashMap<>(m));
    }

    static Arbitrary<Object> values(int depth) {
        List<Arbitrary<?>> leaves = List.of(
                Arbitraries.strings().ofMaxLength(40),
                Arbitraries.of("hello [MASK] world", "[MASK]", "", "  ", "a b c", "all-MiniLM-L6-v2", "bert-base-uncased",
                        "float", "base64", "Paris is the [MASK] of France."),
                Arbitraries.integers(),
                Arbitraries.longs(),
                Arbitraries.doubles(),
                Arbitraries.of(true, false),
                Arbitraries.just(Map.of()),
                Arbitraries.of(0, 1, -1, 2, 5, 384, 100_000, Integer.MAX_VALUE, Integer.MIN_VALUE));
        Arbitrary<Object> leaf = Arbitraries.oneOf(leaves).map(o -> (Object) o);
        if (depth == 0) return leaf;
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, leaf),
                net.jqwik.api.Tuple.of(2, values(depth - 1).list().ofMaxSize(4).map(l -> (Object) l)),
                net.jqwik.api.Tuple.of(1, objects(depth - 1)));
    }
}
