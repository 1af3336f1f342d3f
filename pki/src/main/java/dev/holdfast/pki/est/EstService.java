package dev.holdfast.pki.est;

import dev.holdfast.events.EventClass;
import dev.holdfast.events.SecurityEvent;
import dev.holdfast.events.Severity;
import dev.holdfast.pki.Bytes;
import dev.holdfast.pki.IssuanceRequest;
import dev.holdfast.pki.IssuedCertificate;
import dev.holdfast.pki.IssuingCaRole;
import dev.holdfast.pki.MalformedInputException;
import dev.holdfast.pki.Profile;
import dev.holdfast.pki.Refusal;
import dev.holdfast.pki.RefusedException;
import dev.holdfast.pki.SubjectAuthorization;
import dev.holdfast.pki.internal.CsrValidator;
import dev.holdfast.pki.internal.DefaultCertificateAuthority;
import org.bouncycastle.asn1.x500.X500Name;

import java.math.BigInteger;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Enrollment over Secure Transport (RFC 7030): {@code cacerts}, {@code simpleenroll},
 * {@code simplereenroll}, {@code csrattrs}. The HTTP layer hands in the body and the credential; this
 * class decides. Every refusal is an event and stores nothing.
 *
 * <p>Authorization of {@code simpleenroll}: a one-time bootstrap token (the identity comes from the
 * token), or a TLS client certificate chaining to a trusted manufacturer CA (the identity is the
 * certificate's CN, as Azure DPS uses it for X.509 registration ids). {@code simplereenroll} takes
 * the client's own current certificate: issued here, unexpired, unrevoked, and the CSR's subject must
 * be the certificate's (§4.2.2).
 */
public final class EstService {
    private final DefaultCertificateAuthority ca;
    private final BootstrapTokens tokens;
    private final Set<TrustAnchor> manufacturerAnchors;
    private volatile dev.holdfast.pki.spi.EnrollmentAuthorizer authorizer;

    public EstService(DefaultCertificateAuthority ca, BootstrapTokens tokens, Collection<X509Certificate> manufacturerCas) {
        this.ca = ca;
        this.tokens = tokens;
        this.manufacturerAnchors = manufacturerCas.stream().map(c -> new TrustAnchor(c, null)).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * Lets {@code authorizer} (provisioning's enrollments) decide certificate-based {@code simpleenroll}
     * first; the configured manufacturer CAs remain the fallback for chains it does not know.
     */
    public void setEnrollmentAuthorizer(dev.holdfast.pki.spi.EnrollmentAuthorizer authorizer) {
        this.authorizer = authorizer;
    }

    /** The CA chain for a label (RFC 7030 §3.2.2): the default label is the devices CA. */
    public byte[] caCertificates(Optional<String> label) {
        String name = label.orElse(IssuingCaRole.DEVICES.caName());
        IssuingCaRole.ofCaName(name);
        return EstMessages.certsOnly(ca.chain(name));
    }

    public byte[] csrAttributes() {
        return EstMessages.csrAttributes();
    }

    /** Enrolls a new identity; returns the certs-only response body with the issued certificate. */
    public byte[] simpleEnroll(byte[] body, EstCredential credential, String source) {
        try {
            byte[] der = decode(body);
            CsrValidator.ValidatedCsr csr = CsrValidator.validate(der);
            IssuedCertificate issued = switch (credential) {
                case EstCredential.BootstrapToken t -> enrollWithToken(der, csr, t.token(), source);
                case EstCredential.ClientCertificate c -> enrollWithManufacturerCertificate(der, csr, c, source);
                case EstCredential.None n -> throw Refusal.unauthenticated("no-credential",
                        "simpleenroll needs a bootstrap token (HTTP Basic or Bearer) or a manufacturer client certificate");
            };
            ca.events().emit(event("est.enroll", issued.deviceId().orElse(issued.commonName()), source)
                    .message("EST enrollment of " + issued.commonName()).detail("serial", issued.serialHex()).build());
            return EstMessages.certsOnly(List.of(DefaultCertificateAuthority.toX509(holder(issued))));
        } catch (RefusedException e) {
            refused("est.enroll.refused", e, source);
            throw e;
        }
    }

    private IssuedCertificate enrollWithToken(byte[] der, CsrValidator.ValidatedCsr csr, String token, String source) {
        BootstrapTokens.Grant grant = tokens.peek(token);
        requireSubject(csr, grant.commonName());
        tokens.consume(grant);
        try {
            IssuedCertificate issued = ca.issue(new IssuanceRequest(Bytes.wrapOwned(der), grant.profile(),
                    new SubjectAuthorization(grant.commonName(), List.of(), List.of(), grant.deviceId()), Optional.empty(),
                    "est-token:" + grant.id()));
            tokens.recordSerial(grant, issued.serialHex());
            return issued;
        } catch (RuntimeException e) {
            tokens.release(grant);
            throw e;
        }
    }

    private IssuedCertificate enrollWithManufacturerCertificate(byte[] der, CsrValidator.ValidatedCsr csr,
                                                                EstCredential.ClientCertificate cred, String source) {
        dev.holdfast.pki.spi.EnrollmentAuthorizer a = authorizer;
        if (a != null) {
            Optional<dev.holdfast.pki.spi.EnrollmentAuthorizer.Grant> grant = a.authorize(cred.chain(), source);
            if (grant.isPresent()) {
                dev.holdfast.pki.spi.EnrollmentAuthorizer.Grant g = grant.get();
                requireSubject(csr, g.subject().commonName());
                return ca.issue(new IssuanceRequest(Bytes.wrapOwned(der), g.profile(), g.subject(), g.validity(), g.actor()));
            }
        }
        if (manufacturerAnchors.isEmpty()) {
            throw Refusal.unauthenticated("no-manufacturer-ca", "no manufacturer CA is trusted for certificate-based enrollment");
        }
        validate(cred.chain(), manufacturerAnchors, "manufacturer certificate");
        String cn = commonName(cred.leaf());
        requireSubject(csr, cn);
        return ca.issue(new IssuanceRequest(Bytes.wrapOwned(der), Profile.DEVICE, SubjectAuthorization.device(cn), Optional.empty(),
                "idevid:" + DefaultCertificateAuthority.sha256Hex(encoded(cred.leaf()))));
    }

    /** Renews the client's own certificate (RFC 7030 §4.2.2). */
    public byte[] simpleReenroll(byte[] body, EstCredential credential, String source) {
        try {
            if (!(credential instanceof EstCredential.ClientCertificate cred)) {
                throw Refusal.unauthenticated("no-client-certificate", "simplereenroll needs the current certificate as TLS client certificate");
            }
            byte[] der = decode(body);
            CsrValidator.ValidatedCsr csr = CsrValidator.validate(der);
            X509Certificate current = cred.leaf();
            BigInteger serial = current.getSerialNumber();
            IssuedCertificate record = ca.find(serial.toString(16)).filter(r -> r.der().equals(Bytes.wrapOwned(encoded(current))))
                    .orElseThrow(() -> Refusal.unauthenticated("unknown-certificate", "the client certificate was not issued by this CA"));
            if (record.isRevoked()) {
                throw Refusal.forbidden("certificate-revoked", "certificate " + record.serialHex() + " is revoked ("
                        + record.revocationReason().map(r -> r.rfcName()).orElse("unspecified") + ")");
            }
            Instant now = ca.clock().instant();
            if (!record.notAfter().isAfter(now)) {
                throw Refusal.forbidden("certificate-expired", "certificate " + record.serialHex() + " expired at " + record.notAfter());
            }
            X500Name currentSubject = X500Name.getInstance(current.getSubjectX500Principal().getEncoded());
            if (!csr.subject().equals(currentSubject)) {
                throw Refusal.forbidden("subject-mismatch", "the CSR's subject '" + csr.subject() + "' differs from the current certificate's '"
                        + currentSubject + "' (RFC 7030 §4.2.2)");
            }
            SubjectAuthorization same = sameIdentity(record, current);
            IssuedCertificate issued = ca.issue(new IssuanceRequest(Bytes.wrapOwned(der), record.profile(), same, Optional.empty(),
                    "est-reenroll:" + record.serialHex()));
            ca.events().emit(event("est.reenroll", issued.deviceId().orElse(issued.commonName()), source)
                    .message("EST re-enrollment of " + issued.commonName()).detail("serial", issued.serialHex())
                    .detail("previousSerial", record.serialHex()).build());
            return EstMessages.certsOnly(List.of(DefaultCertificateAuthority.toX509(holder(issued))));
        } catch (RefusedException e) {
            refused("est.reenroll.refused", e, source);
            throw e;
        }
    }

    private static SubjectAuthorization sameIdentity(IssuedCertificate record, X509Certificate current) {
        List<String> dns = new java.util.ArrayList<>();
        List<String> ips = new java.util.ArrayList<>();
        try {
            Collection<List<?>> sans = current.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    int type = (Integer) san.get(0);
                    if (type == 2) dns.add((String) san.get(1));
                    if (type == 7) ips.add((String) san.get(1));
                }
            }
        } catch (java.security.cert.CertificateParsingException e) {
            throw Refusal.invalid("bad-certificate", "the current certificate's SANs do not parse");
        }
        return new SubjectAuthorization(record.commonName(), dns, ips, record.deviceId());
    }

    private static byte[] decode(byte[] body) {
        try {
            return EstMessages.decodeCsrBody(body);
        } catch (MalformedInputException e) {
            throw Refusal.invalid("malformed-csr", e.getMessage()).initCauseAndReturn(e);
        }
    }

    private static void requireSubject(CsrValidator.ValidatedCsr csr, String authorizedCn) {
        csr.commonName().ifPresent(cn -> {
            if (!cn.equals(authorizedCn)) {
                throw Refusal.forbidden("subject-mismatch", "the CSR asks for CN '" + cn + "' but the credential authorizes '" + authorizedCn + "'");
            }
        });
    }

    private void validate(List<X509Certificate> chain, Set<TrustAnchor> anchors, String what) {
        try {
            var path = CertificateFactory.getInstance("X.509").generateCertPath(chain.stream()
                    .filter(c -> anchors.stream().noneMatch(a -> a.getTrustedCert().equals(c))).toList());
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false);
            params.setDate(Date.from(ca.clock().instant()));
            CertPathValidator.getInstance("PKIX").validate(path, params);
        } catch (java.security.cert.CertPathValidatorException e) {
            throw Refusal.unauthenticated("untrusted-certificate", "the " + what + " does not validate: " + e.getMessage());
        } catch (Exception e) {
            throw Refusal.unauthenticated("untrusted-certificate", "the " + what + " cannot be validated: " + e.getMessage());
        }
    }

    private static String commonName(X509Certificate c) {
        X500Name n = X500Name.getInstance(c.getSubjectX500Principal().getEncoded());
        var rdns = n.getRDNs(org.bouncycastle.asn1.x500.style.BCStyle.CN);
        if (rdns.length == 0) throw Refusal.invalid("no-common-name", "the client certificate has no CN");
        return org.bouncycastle.asn1.x500.style.IETFUtils.valueToString(rdns[0].getFirst().getValue());
    }

    private static byte[] encoded(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static org.bouncycastle.cert.X509CertificateHolder holder(IssuedCertificate c) {
        try {
            return new org.bouncycastle.cert.X509CertificateHolder(c.der().toArray());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private SecurityEvent.Builder event(String activity, String subject, String source) {
        return SecurityEvent.builder(EventClass.AUTHENTICATION, activity).source("pki").actor(subject).detail("sourceAddress", source);
    }

    private void refused(String activity, RefusedException e, String source) {
        ca.events().emit(SecurityEvent.builder(EventClass.AUTHENTICATION, activity).source("pki")
                .outcome(SecurityEvent.Outcome.FAILURE).severity(Severity.MEDIUM).actor("anonymous")
                .message(e.refusal().publicMessage()).detail("code", e.refusal().code()).detail("sourceAddress", source).build());
    }
}
