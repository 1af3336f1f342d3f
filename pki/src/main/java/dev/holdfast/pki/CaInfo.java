package dev.holdfast.pki;

import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * One certificate authority Holdfast holds.
 *
 * @param name        {@code root}, {@code devices}, {@code infrastructure}
 * @param role        ROOT or ISSUING
 * @param status      ACTIVE, or PENDING while an externally signed certificate is awaited
 * @param certificate the CA certificate (absent while pending)
 * @param keyLocation where the signing key lives (never the key)
 */
public record CaInfo(String name, Role role, Status status, Optional<X509Certificate> certificate, String keyLocation,
                     Optional<String> parent) {
    public enum Role { ROOT, ISSUING }

    public enum Status { ACTIVE, PENDING }
}
