package dev.holdfast.pki;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Optional;

/**
 * A certificate the CA issued, as recorded.
 *
 * @param serialHex  lowercase hex of the serial number, no leading zeros (as OpenSSL prints it, lower-cased)
 * @param sha256     lowercase hex SHA-256 fingerprint of the DER
 */
public record IssuedCertificate(String serialHex, String caName, Profile profile, String subject, String commonName,
                                Optional<String> deviceId, String sha256, Instant notBefore, Instant notAfter,
                                Instant issuedAt, Status status, Optional<Instant> revokedAt,
                                Optional<RevocationReason> revocationReason, Bytes der) {
    public enum Status { GOOD, REVOKED }

    public IssuedCertificate {
        deviceId = deviceId == null ? Optional.empty() : deviceId;
        revokedAt = revokedAt == null ? Optional.empty() : revokedAt;
        revocationReason = revocationReason == null ? Optional.empty() : revocationReason;
    }

    public BigInteger serial() {
        return new BigInteger(serialHex, 16);
    }

    public boolean isRevoked() {
        return status == Status.REVOKED;
    }
}
