package dev.holdfast.device.hub;

/** The hub answered a twin request with a status other than success (400, 401, 403, 404, 412, 413, 429, 5xx). */
public final class HubRequestException extends RuntimeException {
    private final int status;

    public HubRequestException(String request, int status, String body) {
        super(request + " answered " + status + (body.isEmpty() ? "" : ": " + (body.length() > 200 ? body.substring(0, 200) + "..." : body)));
        this.status = status;
    }

    public int status() {
        return status;
    }
}
