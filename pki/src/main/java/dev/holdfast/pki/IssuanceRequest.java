package dev.holdfast.pki;

import java.time.Duration;
import java.util.Optional;

/**
 * Everything the CA needs to issue one certificate.
 *
 * @param csrDer            the PKCS#10 request (DER); its signature proves possession of the key
 * @param profile           what the certificate is for
 * @param subject           what the caller is authorized to certify; the CSR's subject is not copied
 * @param requestedValidity how long the caller wants; capped by the profile and by the issuer
 * @param actor             who asked (token id, operator, device), for the record and the event
 */
public record IssuanceRequest(Bytes csrDer, Profile profile, SubjectAuthorization subject,
                              Optional<Duration> requestedValidity, String actor) {
    public IssuanceRequest {
        if (csrDer == null || profile == null || subject == null || actor == null) {
            throw new IllegalArgumentException("IssuanceRequest: csrDer, profile, subject and actor are required");
        }
        requestedValidity = requestedValidity == null ? Optional.empty() : requestedValidity;
        requestedValidity.ifPresent(v -> {
            if (v.isNegative() || v.isZero()) throw Refusal.invalid("bad-validity", "requested validity " + v + " must be positive");
        });
    }
}
