package dev.mlm4j.server;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;

/**
 * The errors Jetty answers without reaching a route — a bad Content-Length, a URI over 8 KB (414), headers over
 * 8 KB (431), an ambiguous path such as {@code /../} — in the server's documented body,
 * {@code {"error": message, "error_type": type}}, instead of Jetty's HTML page.
 */
final class JsonErrorHandler extends ErrorHandler {

    /** Errors found while parsing the request (before any handler runs): Jetty writes these bytes as they are. */
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        return ByteBuffer.wrap(body(status, reason));
    }

    /** Errors raised while handling (ambiguous paths, servlet errors, a failed request). */
    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        generateCacheControl(response);
        response.write(true, ByteBuffer.wrap(body(code, message)), callback);
    }

    static byte[] body(int status, String reason) {
        String what = switch (status) {
            case 400 -> "bad request";
            case 404 -> "not found";
            case 408 -> "the request did not arrive in time";
            case 413 -> "the request is too large";
            case 414 -> "the request URI is too long (the server takes at most 8 KB)";
            case 431 -> "the request headers are too large (the server takes at most 8 KB)";
            default -> {
                String s = HttpStatus.getMessage(status);
                yield s == null ? "HTTP " + status : s.toLowerCase(java.util.Locale.ROOT);
            }
        };
        String detail = reason == null || reason.isBlank() || reason.equalsIgnoreCase(HttpStatus.getMessage(status)) ? ""
                : ": " + Body.oneLine(reason);
        return ApiError.ofStatus(status, what + detail).json();
    }
}
