package dev.holdfast.events.alert;

import java.time.Instant;
import java.util.Optional;

/** A certificate the expiry rule looks at: the server feeds the unrevoked ones from the PKI. */
public record ExpiringCertificate(String serialHex, String subject, Optional<String> deviceId, Instant notAfter) {
    public ExpiringCertificate {
        deviceId = deviceId == null ? Optional.empty() : deviceId;
    }
}
