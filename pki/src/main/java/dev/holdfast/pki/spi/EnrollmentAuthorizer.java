package dev.holdfast.pki.spi;

import dev.holdfast.pki.Profile;
import dev.holdfast.pki.SubjectAuthorization;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether a device holding a factory certificate (IDevID) may enroll over EST, and as whom:
 * the hook through which provisioning's enrollments (manufacturer CAs, enabled flags, profiles) govern
 * EST as they govern DPS.
 */
@FunctionalInterface
public interface EnrollmentAuthorizer {

    /**
     * @param chain  the TLS client certificate chain, leaf first
     * @param source the peer address, for events
     * @return the grant; empty when this authorizer does not know the chain's issuer (EST then falls back
     *         to the manufacturer CAs of its configuration)
     * @throws dev.holdfast.pki.RefusedException when it knows the issuer and refuses (disabled enrollment,
     *         unverified CA, expired or revoked certificate)
     */
    Optional<Grant> authorize(List<X509Certificate> chain, String source);

    /** What the device may obtain: the subject written into the certificate, the profile, the validity asked for. */
    record Grant(SubjectAuthorization subject, Profile profile, Optional<Duration> validity, String actor) {
        public Grant {
            validity = validity == null ? Optional.empty() : validity;
        }
    }
}
