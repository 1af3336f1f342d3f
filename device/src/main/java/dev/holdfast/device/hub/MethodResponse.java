package dev.holdfast.device.hub;

/** A direct method's answer: an HTTP-like status and a JSON body (the hub relays both to the caller). */
public record MethodResponse(int status, String json) {
    public MethodResponse {
        if (status < 100 || status > 999) throw new IllegalArgumentException("status: " + status + " (expected: three digits)");
        if (json == null || json.isBlank()) json = "null";
    }

    public static MethodResponse ok(String json) {
        return new MethodResponse(200, json);
    }
}
