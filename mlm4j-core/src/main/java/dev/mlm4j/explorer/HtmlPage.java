package dev.mlm4j.explorer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One self-contained interactive HTML page in the spirit of bertviz's head and model views: choose a layer
 * and head, hover a token to see where its attention goes, switch between the bidirectional and the causal
 * run, see the token graph and every layer × head at once. Inline CSS and JavaScript, the data embedded as
 * JSON: it opens from disk with no network.
 *
 * <p>Weights are embedded as integers in units of 1/{@link #SCALE} (four decimals); a page with both runs of
 * a 12 × 12-head model is 0.16 MB for 12 tokens and 12 MB for 130 (it grows with n²).
 */
public final class HtmlPage {
    private HtmlPage() {}

    /** Weights are stored as round(A · SCALE). */
    public static final int SCALE = 10_000;

    private static final String TEMPLATE = "attention.html";
    private static final String MARK = "/*DATA*/";

    /** A page with both runs; it opens on {@code layer}/{@code head} (head may be {@link AttentionView#MEAN}), bidirectional. */
    public static String of(String modelName, DirectionComparison c, int layer, int head) {
        return of(modelName, c.bidirectional(), c.causal(), layer, head);
    }

    /**
     * @param bidirectional the bidirectional run (required)
     * @param causal        the causal run of the same text, or null (the page's causal switch is then disabled)
     */
    public static String of(String modelName, AttentionView bidirectional, AttentionView causal, int layer, int head) {
        if (bidirectional.causal()) throw new IllegalArgumentException("the first view must be the bidirectional run");
        if (causal != null && (!causal.causal() || causal.length() != bidirectional.length())) {
            throw new IllegalArgumentException("the second view must be the causal run of the same text");
        }
        bidirectional.checkHead(layer, head);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("model", modelName);
        d.put("text", bidirectional.text());
        d.put("pair", bidirectional.pair());
        List<Map<String, Object>> tokens = new ArrayList<>();
        for (Token t : bidirectional.tokens()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("text", t.text());
            m.put("start", t.start());
            m.put("end", t.end());
            m.put("special", t.special());
            m.put("segment", t.segment());
            tokens.add(m);
        }
        d.put("tokens", tokens);
        d.put("layers", bidirectional.layers());
        d.put("heads", bidirectional.heads());
        d.put("scale", SCALE);
        Map<String, Object> runs = new LinkedHashMap<>();
        runs.put("bidirectional", weights(bidirectional));
        runs.put("causal", causal == null ? null : weights(causal));
        d.put("runs", runs);
        Map<String, Object> predictions = new LinkedHashMap<>();
        predictions.put("bidirectional", bidirectional.predictions());
        predictions.put("causal", causal == null ? null : causal.predictions());
        d.put("predictions", predictions);
        d.put("initial", Map.of("layer", layer, "head", head, "causal", false));
        String json;
        try {
            json = new ObjectMapper().writeValueAsString(d);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the page's data: " + e.getMessage(), e);
        }
        // Inside <script>, "</script" or "<!--" would end or confuse the element: '<' only occurs in strings, escape it.
        json = json.replace("<", "\\u003c");
        return template().replace(MARK, json);
    }

    /** [layer][head] → n·n integers, row-major. */
    private static int[][][] weights(AttentionView v) {
        int n = v.length();
        int[][][] w = new int[v.layers()][v.heads()][n * n];
        for (int l = 0; l < v.layers(); l++) {
            for (int h = 0; h < v.heads(); h++) {
                var a = v.attentions(l).row(h);
                for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) w[l][h][i * n + j] = Math.round(a.at(i, j) * SCALE);
            }
        }
        return w;
    }

    private static String template() {
        try (InputStream in = HtmlPage.class.getResourceAsStream(TEMPLATE)) {
            if (in == null) throw new IllegalStateException("the page template " + TEMPLATE + " is missing from the jar");
            String t = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (!t.contains(MARK)) throw new IllegalStateException("the page template has no data mark");
            return t;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
