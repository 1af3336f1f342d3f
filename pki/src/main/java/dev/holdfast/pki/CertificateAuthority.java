package dev.holdfast.pki;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * Holdfast's certificate authority: a root and the issuing CAs below it, issuance through profiles,
 * revocation, and the records of everything issued. CRLs and OCSP answers are built on top of it
 * ({@link dev.holdfast.pki.internal.CrlPublisher}, {@link dev.holdfast.pki.ocsp.OcspResponder}).
 */
public interface CertificateAuthority {

    /**
     * Issues a certificate for the CSR's key. The CSR's signature is verified (proof of possession),
     * its key checked against policy, the subject and SANs taken from {@code request.subject()}, the
     * validity capped by the profile and by the issuer. The certificate is stored before it is
     * returned, and an event is emitted.
     *
     * @throws RefusedException when the CSR or the request breaks a rule
     */
    IssuedCertificate issue(IssuanceRequest request);

    /**
     * Revokes a certificate: durable first, then the in-memory revocation set, the revocation
     * listeners, the OCSP cache and the CRL. Revoking an already revoked certificate is refused
     * with CONFLICT.
     */
    IssuedCertificate revoke(String serialHex, RevocationReason reason, String actor);

    Optional<IssuedCertificate> find(String serialHex);

    List<IssuedCertificate> search(CertificateFilter filter);

    /** Constant-time-ish in-memory check used on hot paths (TLS handshakes, OCSP). */
    boolean isRevoked(BigInteger serial);

    List<CaInfo> authorities();

    /** The active certificate of a CA by name. */
    X509Certificate caCertificate(String name);

    /** The chain from an issuing CA up to and including the root. */
    List<X509Certificate> chain(String caName);

    /** The roots clients must trust (the trust bundle). */
    List<X509Certificate> trustAnchors();

    void addRevocationListener(RevocationListener listener);

    PkiSettings settings();
}
