package dev.mlm4j.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GET /info: TEI's fields for the default model (the first one listed), so TEI clients find what they
 * expect, plus {@code models}: every model served, with its tasks and sizes, and {@code kernels}: what they run on.
 */
final class Info {
    private Info() {}

    static Map<String, Object> of(MlmServer s) {
        ServedModel first = s.models.getFirst();
        ServerOptions o = s.options;
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("model_id", first.name());
        info.put("model_sha", null);
        info.put("model_dtype", "float32");
        info.put("served_model_name", first.name());
        info.put("model_type", modelType(first));
        info.put("max_concurrent_requests", o.maxConcurrentRequests());
        info.put("max_input_length", first.maxLength());
        info.put("max_batch_tokens", o.maxBatchTokens());
        info.put("max_batch_requests", null);
        info.put("max_client_batch_size", o.maxClientBatchSize());
        info.put("auto_truncate", o.autoTruncate());
        info.put("tokenization_workers", 0);
        info.put("version", MlmServer.VERSION);
        info.put("kernels", dev.mlm4j.Version.kernels());   // mlm4j's own: the Vector API width and threads, as ./mlm4j --version prints them
        info.put("sha", null);
        info.put("docker_label", null);
        List<Map<String, Object>> models = new ArrayList<>();
        for (ServedModel m : s.models) models.add(model(m));
        info.put("models", models);
        return info;
    }

    static Map<String, Object> model(ServedModel m) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", m.name());
        d.put("source", m.source());
        d.put("tasks", m.tasks().stream().map(t -> t.label).toList());
        d.put("max_input_length", m.maxLength());
        d.put("vocab_size", m.tokenizer().vocabSize());
        d.put("lower_case", m.tokenizer().lowerCase());
        if (m.primary().taskModel()) {
            d.put("route", m.primary().route);
            d.put("option", m.primary().option);
            List<String> labels = labels(m);
            if (labels != null) d.put("labels", labels);
        }
        var fe = m.embeddingsIfLoaded();
        if (fe != null) {
            d.put("dimensions", fe.dimension());
            d.put("pooling", fe.defaultPooling().id());
            d.put("normalize", fe.defaultNormalize());
            d.put("truncation_length", fe.maxLength());
        }
        return d;
    }

    /** A classifier's labels by id (id2label), or null. */
    private static List<String> labels(ServedModel m) {
        if (m.textClassification() != null) return m.textClassification().labels();
        if (m.tokenClassification() != null) return m.tokenClassification().labels();
        if (m.rerank() != null) return m.rerank().classifier().labels();
        return null;
    }

    private static Map<String, Object> modelType(ServedModel m) {
        Map<String, Object> inner = new LinkedHashMap<>();
        List<String> labels = labels(m);
        if (labels != null) {   // TEI's ClassifierModel: {"id2label": {"0": …}, "label2id": {…: 0}}
            Map<String, Object> id2label = new LinkedHashMap<>(), label2id = new LinkedHashMap<>();
            for (int i = 0; i < labels.size(); i++) {
                id2label.put(Integer.toString(i), labels.get(i));
                label2id.put(labels.get(i), i);
            }
            inner.put("id2label", id2label);
            inner.put("label2id", label2id);
            String kind = switch (m.primary()) {
                case TEXT_CLASSIFICATION -> "classifier";
                case RERANK -> "reranker";
                default -> "token_classifier";
            };
            return Map.of(kind, inner);
        }
        if (m.primary() == ServedModel.Task.QUESTION_ANSWERING) return Map.of("question_answering", inner);
        var fe = m.embeddingsIfLoaded();
        if (m.primary() == ServedModel.Task.EMBEDDINGS && fe != null) {
            inner.put("pooling", fe.defaultPooling().id());
            return Map.of("embedding", inner);
        }
        return Map.of("fill_mask", inner);
    }
}
