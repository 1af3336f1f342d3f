package dev.holdfast.server.http;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Jetty's error page for the errors that never reach Javalin: requests Jetty rejects while parsing
 * (headers too large, malformed URIs) and failures outside the servlet. Renders problem+json like
 * the rest of the API, with Jetty's reason as the detail and never a stack trace.
 */
final class ProblemErrorHandler extends ErrorHandler {

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        int status = code >= 400 && code <= 599 ? code : 500;
        // No instance: Jetty may have replaced the request target it could not parse.
        byte[] body = body(status, message).getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, ProblemResponses.CONTENT_TYPE);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        int code = status >= 400 && status <= 599 ? status : 400;
        fields.put(HttpHeader.CONTENT_TYPE, ProblemResponses.CONTENT_TYPE);
        return ByteBuffer.wrap(body(code, reason).getBytes(StandardCharsets.UTF_8));
    }

    private static String body(int status, String message) {
        String title = HttpStatus.getMessage(status);
        String detail = message == null || message.equals(title) ? "" : message;
        Problem p = new Problem(status, ProblemResponses.slugOf(title), title, detail);
        return ProblemResponses.json(p, null, Map.of());
    }
}
