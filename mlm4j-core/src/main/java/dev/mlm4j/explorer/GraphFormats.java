package dev.mlm4j.explorer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A token graph written as JSON, GraphML or Graphviz DOT. Node ids are "t" + the token's index in the encoding. */
final class GraphFormats {
    private GraphFormats() {}

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    static String id(int tokenIndex) {
        return "t" + tokenIndex;
    }

    static String json(AttentionGraph g) {
        double[] in = g.inStrength(), h = g.rowEntropy();
        List<Map<String, Object>> nodes = new ArrayList<>();
        for (int i = 0; i < g.size(); i++) {
            Token t = g.nodes().get(i);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id(t.index()));
            m.put("index", t.index());
            m.put("text", t.text());
            m.put("start", t.start());
            m.put("end", t.end());
            m.put("special", t.special());
            m.put("segment", t.segment());
            m.put("inStrength", in[i]);
            m.put("entropy", h[i]);
            nodes.add(m);
        }
        List<Map<String, Object>> edges = new ArrayList<>();
        for (AttentionGraph.Edge e : g.edges()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("source", id(e.source()));
            m.put("target", id(e.target()));
            m.put("weight", e.weight());
            edges.add(m);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("label", g.label());
        root.put("directed", true);
        root.put("pruning", Map.of("threshold", g.pruning().threshold(), "topK", g.pruning().topK()));
        root.put("nodes", nodes);
        root.put("edges", edges);
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the graph as JSON: " + e.getMessage(), e);
        }
    }

    static String graphML(AttentionGraph g) {
        double[] in = g.inStrength(), h = g.rowEntropy();
        StringBuilder sb = new StringBuilder();
        sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append("<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\"\n");
        sb.append("         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n");
        sb.append("         xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n");
        sb.append("  <key id=\"text\" for=\"node\" attr.name=\"text\" attr.type=\"string\"/>\n");
        sb.append("  <key id=\"index\" for=\"node\" attr.name=\"index\" attr.type=\"int\"/>\n");
        sb.append("  <key id=\"start\" for=\"node\" attr.name=\"start\" attr.type=\"int\"/>\n");
        sb.append("  <key id=\"end\" for=\"node\" attr.name=\"end\" attr.type=\"int\"/>\n");
        sb.append("  <key id=\"special\" for=\"node\" attr.name=\"special\" attr.type=\"boolean\"/>\n");
        sb.append("  <key id=\"segment\" for=\"node\" attr.name=\"segment\" attr.type=\"int\"/>\n");
        sb.append("  <key id=\"in_strength\" for=\"node\" attr.name=\"in_strength\" attr.type=\"double\"/>\n");
        sb.append("  <key id=\"entropy\" for=\"node\" attr.name=\"entropy\" attr.type=\"double\"/>\n");
        sb.append("  <key id=\"weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n");
        sb.append("  <graph id=\"").append(xml(g.label())).append("\" edgedefault=\"directed\">\n");
        for (int i = 0; i < g.size(); i++) {
            Token t = g.nodes().get(i);
            sb.append("    <node id=\"").append(id(t.index())).append("\">");
            data(sb, "text", xml(t.text()));
            data(sb, "index", Integer.toString(t.index()));
            data(sb, "start", Integer.toString(t.start()));
            data(sb, "end", Integer.toString(t.end()));
            data(sb, "special", Boolean.toString(t.special()));
            data(sb, "segment", Integer.toString(t.segment()));
            data(sb, "in_strength", Double.toString(in[i]));
            data(sb, "entropy", Double.toString(h[i]));
            sb.append("</node>\n");
        }
        int e = 0;
        for (AttentionGraph.Edge edge : g.edges()) {
            sb.append("    <edge id=\"e").append(e++).append("\" source=\"").append(id(edge.source()))
                    .append("\" target=\"").append(id(edge.target())).append("\">");
            data(sb, "weight", Double.toString(edge.weight()));
            sb.append("</edge>\n");
        }
        sb.append("  </graph>\n</graphml>\n");
        return sb.toString();
    }

    private static void data(StringBuilder sb, String key, String value) {
        sb.append("<data key=\"").append(key).append("\">").append(value).append("</data>");
    }

    /** XML text and attribute escaping; characters XML 1.0 cannot carry become U+FFFD. */
    static String xml(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&apos;");
                default -> {
                    boolean legal = c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF)
                            || (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
                    sb.appendCodePoint(legal ? c : 0xFFFD);
                }
            }
        });
        return sb.toString();
    }

    static String dot(AttentionGraph g) {
        StringBuilder sb = new StringBuilder();
        sb.append("digraph attention {\n");
        sb.append("  label=").append(quote(g.label())).append(";\n");
        sb.append("  labelloc=t;\n  rankdir=LR;\n");
        sb.append("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#f4f4f4\", fontname=\"Helvetica\"];\n");
        sb.append("  edge [color=\"#1f5fa8\", fontname=\"Helvetica\", fontsize=9];\n");
        double[] in = g.inStrength();
        for (int i = 0; i < g.size(); i++) {
            Token t = g.nodes().get(i);
            sb.append("  ").append(id(t.index())).append(" [label=").append(quote(t.text()))
                    .append(", tooltip=").append(quote(t.index() + ": " + t.text() + ", receives " + fmt(in[i])));
            if (t.special()) sb.append(", fillcolor=\"#e0e0e0\"");
            sb.append("];\n");
        }
        double max = 0;
        for (AttentionGraph.Edge e : g.edges()) max = Math.max(max, e.weight());
        for (AttentionGraph.Edge e : g.edges()) {
            double rel = max > 0 ? e.weight() / max : 0;
            sb.append("  ").append(id(e.source())).append(" -> ").append(id(e.target()))
                    .append(" [attention=").append(quote(Double.toString(e.weight())))
                    .append(", label=").append(quote(fmt(e.weight())))
                    .append(", penwidth=").append(String.format(Locale.ROOT, "%.2f", 0.3 + 3.7 * rel))
                    .append("];\n");
        }
        sb.append("}\n");
        return sb.toString();
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    /** A DOT double-quoted string: backslashes and quotes escaped, line breaks as \n. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> { }
                default -> sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
