package dev.holdfast.provisioning;

import dev.holdfast.pki.Bytes;

import java.time.Instant;
import java.util.Optional;

/**
 * A device maker's CA certificate (root or intermediate) that IDevIDs chain to. Uploaded unverified;
 * verified once the operator proves possession of its key by submitting a certificate whose CN is
 * {@link #verificationCode()} signed by it. Only verified CAs anchor enrollment groups or attest devices.
 *
 * @param certificateDer the CA certificate (DER)
 * @param sha256         its SHA-256 thumbprint, lower-case hex
 * @param crlDer         the CA's CRL, when the operator configured one; IDevIDs on it are refused
 */
public record ManufacturerCa(String name, Bytes certificateDer, String sha256, String subject, boolean verified,
                             String verificationCode, Optional<Bytes> crlDer, Instant createdAt, Optional<Instant> verifiedAt) {
    public ManufacturerCa {
        Ids.requireId("name", name);
        crlDer = crlDer == null ? Optional.empty() : crlDer;
        verifiedAt = verifiedAt == null ? Optional.empty() : verifiedAt;
    }
}
