package dev.holdfast.device.hub;

/**
 * Answers a direct method. Runs on a virtual thread, so it may block; an exception becomes a 500
 * answer with the exception's message.
 */
@FunctionalInterface
public interface MethodHandler {
    MethodResponse handle(String method, byte[] payload) throws Exception;
}
