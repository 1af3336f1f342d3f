package dev.holdfast.provisioning.internal;

import dev.holdfast.provisioning.ManufacturerCa;
import dev.holdfast.provisioning.ProvisioningRefusal;

import javax.security.auth.x500.X500Principal;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * X.509 attestation: the IDevID chain the TLS handshake received validates (PKIX, RFC 5280 §6) to an
 * uploaded manufacturer CA, which must be verified; each certificate of the path is within its
 * validity and, when the CA has a CRL, not on it; the registration id is the leaf's CN.
 */
public final class X509Attestor {
    /** Parsed CA certificates by SHA-256: a CA's bytes never change under its thumbprint. Bounded by the CAs uploaded. */
    private final java.util.concurrent.ConcurrentHashMap<String, X509Certificate> parsed = new java.util.concurrent.ConcurrentHashMap<>();

    /** A device that proved it holds a certificate chaining to {@code ca}. */
    public record Attested(X509Certificate leaf, String commonName, String thumbprint, List<ManufacturerCa> anchors) {
    }

    /** Who the client certificate names, before anything is validated. */
    public static String commonName(X509Certificate c) {
        String dn = c.getSubjectX500Principal().getName(X500Principal.RFC2253);
        try {
            for (var rdn : new javax.naming.ldap.LdapName(dn).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) return String.valueOf(rdn.getValue());
            }
        } catch (javax.naming.InvalidNameException e) {
            return "";
        }
        return "";
    }

    /**
     * Validates {@code chain} (leaf first) against every manufacturer CA it could chain to.
     *
     * @return the verified CAs the chain validates to, the closest to the leaf first (never empty)
     */
    public Attested attest(List<X509Certificate> chain, String registrationId, List<ManufacturerCa> cas, Instant now) {
        if (chain.isEmpty()) {
            throw ProvisioningRefusal.unauthorized("no-client-certificate", "X.509 registration needs the IDevID as TLS client certificate").exception();
        }
        X509Certificate leaf = chain.get(0);
        String cn = commonName(leaf);
        if (!cn.equals(registrationId)) {
            throw ProvisioningRefusal.unauthorized("cn-mismatch", "the client certificate's CN '" + dev.holdfast.provisioning.Ids.excerpt(cn)
                    + "' does not match the registration id '" + registrationId + "'").exception();
        }
        List<Match> matches = new ArrayList<>();
        for (ManufacturerCa ca : cas) {
            X509Certificate anchor = parsed.computeIfAbsent(ca.sha256(), k -> certificate(ca.certificateDer().toArray()));
            List<X509Certificate> path = pathTo(chain, anchor);
            if (path != null && signaturesValid(path, anchor)) matches.add(new Match(ca, anchor, path));
        }
        if (matches.isEmpty()) {
            throw ProvisioningRefusal.unauthorized("untrusted-certificate", "the client certificate of '" + registrationId
                    + "' does not chain to any uploaded manufacturer CA").exception();
        }
        List<Match> verified = matches.stream().filter(m -> m.ca.verified()).sorted((a, b) -> Integer.compare(a.path.size(), b.path.size())).toList();
        if (verified.isEmpty()) {
            throw ProvisioningRefusal.unauthorized("ca-not-verified", "the manufacturer CA '" + matches.get(0).ca.name()
                    + "' that issued the certificate of '" + registrationId + "' has not been verified (proof of possession pending)").exception();
        }
        Match m = verified.get(0);
        Date at = Date.from(now);
        for (X509Certificate c : m.path) {
            try {
                c.checkValidity(at);
            } catch (CertificateExpiredException e) {
                throw ProvisioningRefusal.unauthorized("certificate-expired", "certificate '" + c.getSubjectX500Principal().getName()
                        + "' in the chain of '" + registrationId + "' expired at " + c.getNotAfter().toInstant()).exception();
            } catch (CertificateNotYetValidException e) {
                throw ProvisioningRefusal.unauthorized("certificate-not-yet-valid", "certificate '" + c.getSubjectX500Principal().getName()
                        + "' in the chain of '" + registrationId + "' is valid only from " + c.getNotBefore().toInstant()).exception();
            }
        }
        for (Match v : verified) checkCrl(v, registrationId);
        return new Attested(leaf, cn, thumbprint(leaf), verified.stream().map(x -> x.ca).toList());
    }

    private record Match(ManufacturerCa ca, X509Certificate anchor, List<X509Certificate> path) {
    }

    /** The certificates of {@code chain} below {@code anchor}, or null when no certificate of it is issued by the anchor. */
    private static List<X509Certificate> pathTo(List<X509Certificate> chain, X509Certificate anchor) {
        List<X509Certificate> path = new ArrayList<>();
        for (X509Certificate c : chain) {
            if (c.equals(anchor)) break;
            path.add(c);
            if (c.getIssuerX500Principal().equals(anchor.getSubjectX500Principal())) return path;
        }
        return null;
    }

    private static boolean signaturesValid(List<X509Certificate> path, X509Certificate anchor) {
        try {
            var certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
            PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
            params.setRevocationEnabled(false);
            // Signatures and constraints only here; validity is checked afterwards to explain expiry.
            params.setDate(new Date(path.get(0).getNotBefore().getTime() + 1000));
            CertPathValidator.getInstance("PKIX").validate(certPath, params);
            return true;
        } catch (CertPathValidatorException e) {
            return false;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static void checkCrl(Match m, String registrationId) {
        if (m.ca.crlDer().isEmpty()) return;
        X509CRL crl;
        try {
            crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(m.ca.crlDer().get().toArray()));
            crl.verify(m.anchor.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw ProvisioningRefusal.unavailable("bad-crl", "the CRL configured for manufacturer CA '" + m.ca.name() + "' does not verify; fix it").exception(e);
        }
        for (X509Certificate c : m.path) {
            if (c.getIssuerX500Principal().equals(m.anchor.getSubjectX500Principal()) && crl.isRevoked(c)) {
                throw ProvisioningRefusal.unauthorized("certificate-revoked", "certificate serial " + c.getSerialNumber().toString(16)
                        + " in the chain of '" + registrationId + "' is revoked by manufacturer CA '" + m.ca.name() + "'").exception();
            }
        }
    }

    public static X509Certificate certificate(byte[] der) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("stored certificate does not parse", e);
        }
    }

    public static String thumbprint(X509Certificate c) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
