package dev.holdfast.hub;

/** A device's answer to a direct method: its status and JSON payload (the text {@code null} when it sent none). */
public record MethodResult(int status, String payloadJson) {
}
