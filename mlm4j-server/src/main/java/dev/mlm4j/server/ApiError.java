package dev.mlm4j.server;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request that cannot be served, with the HTTP status and the body TEI sends:
 * {@code {"error": message, "error_type": type}}. Thrown anywhere in a handler; {@link MlmServer} turns it
 * into the response. Messages are written for the client: one line, no stack trace, no internals.
 */
final class ApiError extends RuntimeException {

    final int status;
    final String type;

    ApiError(int status, String type, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
    }

    /**
     * An error known only by its HTTP status (Jetty's and Javalin's own refusals, 405): 404 NotFound, 408 Timeout,
     * 5xx Backend, anything else Validation.
     */
    static ApiError ofStatus(int status, String message) {
        String type = status == 404 ? "NotFound" : status == 408 ? "Timeout" : status >= 500 ? "Backend" : "Validation";
        return new ApiError(status, type, message);
    }

    /** The response body: {@code {"error": message, "error_type": type}}, as UTF-8 JSON. */
    byte[] json() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", getMessage());
        body.put("error_type", type);
        try {
            return Body.JSON.writeValueAsBytes(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("could not write the error as JSON", e);
        }
    }

    /** 400: the body is not JSON, or a field is missing or has the wrong type or value. */
    static ApiError validation(String message) {
        return new ApiError(400, "Validation", message);
    }

    /** 400: an input text is empty (TEI's "Empty"). */
    static ApiError empty(String message) {
        return new ApiError(400, "Empty", message);
    }

    static ApiError unauthorized() {
        return new ApiError(401, "Unauthorized", "missing or wrong bearer token: send 'Authorization: Bearer <api key>'");
    }

    /** 404: no such model (or route). */
    static ApiError notFound(String message) {
        return new ApiError(404, "NotFound", message);
    }

    /**
     * 424 (TEI's status for its "Backend" errors): the model cannot give an answer, e.g. no model of the kind the route
     * needs is loaded (TEI's answer to /predict or /rerank on another kind of model), or a score is NaN.
     */
    static ApiError backend(String message) {
        return new ApiError(424, "Backend", message);
    }

    /** 408: the client took longer than --body-read-timeout-ms to send its request body. */
    static ApiError bodyTimeout(long millis) {
        return new ApiError(408, "Timeout", "the request body did not arrive within " + millis
                + " ms (--body-read-timeout-ms); send it at once");
    }

    /** 413: the reply this request asks for would be larger than --max-reply-bytes (checked before computing). */
    static ApiError replyTooLarge(String what, long estimate, long limit) {
        return tooLarge("the reply would be about " + estimate + " bytes (" + what
                + "), over the server's limit of " + limit + " bytes (--max-reply-bytes); ask for less per request");
    }

    /** 413: the body, or the number of inputs, is over the server's limit (TEI: Validation → 413). */
    static ApiError tooLarge(String message) {
        return new ApiError(413, "Validation", message);
    }

    /** 422: an input has more tokens than the model takes and truncation was not asked for. */
    static ApiError tooLong(String message) {
        return new ApiError(422, "Tokenizer", message);
    }

    /** 429: the queue is full; the client should retry later. */
    static ApiError overloaded(String message) {
        return new ApiError(429, "Overloaded", message);
    }

    /** 503: shutting down, or the request waited longer than the request timeout. */
    static ApiError unavailable(String message) {
        return new ApiError(503, "Unhealthy", message);
    }

    /** 500: a bug; the message says only that, the details go to the server's log. */
    static ApiError internal() {
        return new ApiError(500, "Backend", "internal error; see the server log");
    }
}
