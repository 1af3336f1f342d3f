package dev.holdfast.provisioning;

/**
 * Why provisioning said no, in Azure DPS's error shape: an HTTP status, a six-digit {@code errorCode}
 * whose first three digits are the status, a short machine {@code code} for events and logs, and a
 * public message that says what was asked and what the rule is. Boundaries translate it once: HTTPS
 * and MQTT answer {@code {"errorCode","trackingId","message","info"}}, the admin API RFC 9457.
 */
public record ProvisioningRefusal(int httpStatus, int errorCode, String code, String message) {
    public ProvisioningRefusal {
        if (errorCode / 1000 != httpStatus) {
            throw new IllegalArgumentException("errorCode: " + errorCode + " (expected: starts with the HTTP status " + httpStatus + ")");
        }
        if (code == null || message == null) throw new IllegalArgumentException("code and message: required");
    }

    public ProvisioningRefusedException exception() {
        return new ProvisioningRefusedException(this, null);
    }

    public ProvisioningRefusedException exception(Throwable cause) {
        return new ProvisioningRefusedException(this, cause);
    }

    /** 400: the request is malformed (JSON, CSR, ids). */
    public static ProvisioningRefusal malformed(String code, String message) {
        return new ProvisioningRefusal(400, 400004, code, message);
    }

    /** 400: an admin request breaks a rule on its content. */
    public static ProvisioningRefusal invalidRequest(String message) {
        return new ProvisioningRefusal(400, 400001, "invalid-request", message);
    }

    /** 401: the device did not prove who it is, or nothing enrolls it. */
    public static ProvisioningRefusal unauthorized(String code, String message) {
        return new ProvisioningRefusal(401, 401002, code, message);
    }

    /** 403: known, but not allowed (decommissioned device). */
    public static ProvisioningRefusal forbidden(String code, String message) {
        return new ProvisioningRefusal(403, 403001, code, message);
    }

    public static ProvisioningRefusal notFound(String code, String message) {
        return new ProvisioningRefusal(404, 404001, code, message);
    }

    public static ProvisioningRefusal conflict(String code, String message) {
        return new ProvisioningRefusal(409, 409001, code, message);
    }

    public static ProvisioningRefusal throttled(String message) {
        return new ProvisioningRefusal(429, 429001, "rate-limited", message);
    }

    /** 503: a dependency (webhook, store) failed; the device should retry. */
    public static ProvisioningRefusal unavailable(String code, String message) {
        return new ProvisioningRefusal(503, 503001, code, message);
    }
}
