package dev.holdfast.pki.ocsp;

import dev.holdfast.pki.IssuedCertificate;
import dev.holdfast.pki.MalformedInputException;
import dev.holdfast.pki.internal.Authority;
import dev.holdfast.pki.internal.DefaultCertificateAuthority;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.Req;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.bouncycastle.asn1.x500.X500Name;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An OCSP responder (RFC 6960) for every CA Holdfast holds, signing with a delegated responder
 * certificate per CA (§4.2.2.2) so CA keys sign only certificates and CRLs.
 *
 * <p>Responses to requests without a nonce are pre-signed and cached per certificate until half
 * their validity has passed or the certificate is revoked, which is what makes the responder cheap
 * enough to serve a fleet that checks often. Requests with a nonce (RFC 8954) are signed fresh, with
 * the nonce echoed.
 *
 * <p>Responder keys live only in memory: each start issues new responder certificates, so no
 * responder key is ever at rest.
 */
public final class OcspResponder {
    private static final Logger log = LoggerFactory.getLogger(OcspResponder.class);
    /** A request larger than this is not a reasonable OCSP request. */
    public static final int MAX_REQUEST_BYTES = 8 * 1024;
    /** Certificates per request; RFC 6960 leaves it open, we refuse more. */
    public static final int MAX_CERTIFICATES_PER_REQUEST = 16;
    private static final int MAX_CACHE_ENTRIES = 500_000;

    private final DefaultCertificateAuthority ca;
    private final DigestCalculatorProvider digests;
    private final Map<String, Delegate> delegates = new ConcurrentHashMap<>();
    private final Map<CacheKey, Cached> cache = new ConcurrentHashMap<>();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong cacheHits = new AtomicLong();

    private record Delegate(Authority authority, KeyPair key, X509CertificateHolder certificate, Instant renewAfter) {
    }

    private record CacheKey(String caName, BigInteger serial, ASN1ObjectIdentifier hashAlgorithm) {
    }

    private record Cached(byte[] response, long staleAfterMillis) {
    }

    public OcspResponder(DefaultCertificateAuthority ca) {
        this.ca = ca;
        try {
            this.digests = new JcaDigestCalculatorProviderBuilder().build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        ca.addRevocationListener(this::forget);
    }

    private void forget(IssuedCertificate c) {
        BigInteger serial = c.serial();
        cache.keySet().removeIf(k -> k.serial().equals(serial));
    }

    /** The parsed request, for fuzzing and for the HTTP layer's own checks. */
    public static OCSPReq parse(byte[] der) throws MalformedInputException {
        if (der == null || der.length == 0) throw new MalformedInputException(0, "empty OCSP request (expected DER OCSPRequest, RFC 6960 §4.1.1)");
        if (der.length > MAX_REQUEST_BYTES) throw new MalformedInputException(MAX_REQUEST_BYTES, "OCSP request of " + der.length + " bytes exceeds the limit of " + MAX_REQUEST_BYTES);
        if ((der[0] & 0xff) != 0x30) throw new MalformedInputException(0, "OCSP request does not start with a DER SEQUENCE (RFC 6960 §4.1.1)");
        try {
            OCSPReq req = new OCSPReq(der);
            Req[] list = req.getRequestList();
            if (list.length == 0) throw new MalformedInputException(-1, "OCSP request lists no certificate (RFC 6960 §4.1.1 requestList)");
            if (list.length > MAX_CERTIFICATES_PER_REQUEST) {
                throw new MalformedInputException(-1, "OCSP request lists " + list.length + " certificates; the limit is " + MAX_CERTIFICATES_PER_REQUEST);
            }
            for (Req r : list) {
                CertificateID id = r.getCertID();
                id.getHashAlgOID();
                id.getSerialNumber();
                id.getIssuerNameHash();
                id.getIssuerKeyHash();
            }
            req.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
            return req;
        } catch (MalformedInputException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new MalformedInputException("OCSP request does not parse (RFC 6960 §4.1.1): " + e.getClass().getSimpleName() + " " + e.getMessage(), e);
        }
    }

    /**
     * Answers one DER OCSP request with a DER OCSP response. Never throws for bad input: a request
     * that does not parse gets {@code malformedRequest}, one about a CA we do not hold gets
     * {@code unauthorized} (§2.3).
     */
    public byte[] respond(byte[] requestDer) {
        served.incrementAndGet();
        OCSPReq req;
        try {
            req = parse(requestDer);
        } catch (MalformedInputException e) {
            malformed.incrementAndGet();
            log.debug("malformed OCSP request: {}", e.getMessage());
            return status(OCSPRespBuilder.MALFORMED_REQUEST);
        }
        Req[] list = req.getRequestList();
        Extension nonce = req.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
        Authority issuer = null;
        for (Req r : list) {
            Authority a = issuerOf(r.getCertID());
            if (a == null || (issuer != null && issuer != a)) return status(OCSPRespBuilder.UNAUTHORIZED);
            issuer = a;
        }
        if (nonce == null && list.length == 1) {
            CertificateID id = list[0].getCertID();
            CacheKey key = new CacheKey(issuer.name(), id.getSerialNumber(), id.getHashAlgOID());
            Cached c = cache.get(key);
            long now = ca.clock().millis();
            if (c != null && c.staleAfterMillis() > now) {
                cacheHits.incrementAndGet();
                return c.response();
            }
            byte[] fresh = sign(issuer, list, null);
            if (cache.size() >= MAX_CACHE_ENTRIES) cache.clear();
            cache.put(key, new Cached(fresh, now + ca.settings().ocspValidity().toMillis() / 2));
            return fresh;
        }
        return sign(issuer, list, nonce);
    }

    private Authority issuerOf(CertificateID id) {
        for (Authority a : ca.activeAuthorities()) {
            try {
                if (id.matchesIssuer(a.holder(), digests)) return a;
            } catch (OCSPException | RuntimeException e) {
                return null; // an unsupported hash algorithm: not ours to answer
            }
        }
        return null;
    }

    private byte[] sign(Authority issuer, Req[] list, Extension nonce) {
        Delegate d = delegate(issuer);
        try {
            Instant now = ca.clock().instant();
            Date thisUpdate = Date.from(now);
            Date nextUpdate = Date.from(now.plus(ca.settings().ocspValidity()));
            BasicOCSPRespBuilder b = new BasicOCSPRespBuilder(new RespID(d.certificate().getSubjectPublicKeyInfo(), digests.get(RespID.HASH_SHA1)));
            for (Req r : list) {
                b.addResponse(r.getCertID(), statusOf(r.getCertID().getSerialNumber(), issuer.name()), thisUpdate, nextUpdate, null);
            }
            if (nonce != null) b.setResponseExtensions(new Extensions(nonce));
            BasicOCSPResp basic = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(d.key().getPrivate()),
                    new X509CertificateHolder[]{d.certificate()}, thisUpdate);
            return new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL, basic).getEncoded();
        } catch (Exception e) {
            log.error("OCSP signing failed for CA {}", issuer.name(), e);
            return status(OCSPRespBuilder.INTERNAL_ERROR);
        }
    }

    private CertificateStatus statusOf(BigInteger serial, String caName) {
        var found = ca.repository().find(serial.toString(16));
        if (found.isEmpty() || !found.get().caName().equals(caName)) return new UnknownStatus();
        IssuedCertificate c = found.get();
        if (!c.isRevoked()) return CertificateStatus.GOOD;
        return new RevokedStatus(Date.from(c.revokedAt().orElseThrow()), c.revocationReason().map(r -> r.code()).orElse(CRLReason.unspecified));
    }

    private Delegate delegate(Authority issuer) {
        Delegate d = delegates.get(issuer.name());
        if (d != null && ca.clock().instant().isBefore(d.renewAfter())) return d;
        synchronized (this) {
            d = delegates.get(issuer.name());
            if (d != null && ca.clock().instant().isBefore(d.renewAfter())) return d;
            d = newDelegate(issuer);
            delegates.put(issuer.name(), d);
            cache.keySet().removeIf(k -> k.caName().equals(issuer.name()));
            return d;
        }
    }

    private Delegate newDelegate(Authority issuer) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair kp = g.generateKeyPair();
            byte[] csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=ocsp"), kp.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
            IssuedCertificate cert = ca.issueOcspResponder(issuer.name(), csr);
            X509CertificateHolder holder = new X509CertificateHolder(cert.der().toArray());
            Instant nb = cert.notBefore();
            Instant renewAfter = nb.plusMillis((long) ((cert.notAfter().toEpochMilli() - nb.toEpochMilli()) * (2.0 / 3.0)));
            log.info("OCSP responder certificate for {} issued: serial {}", issuer.name(), cert.serialHex());
            return new Delegate(issuer, kp, holder, renewAfter);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the OCSP responder for " + issuer.name() + ": " + e.getMessage(), e);
        }
    }

    /** Issues the responder certificates now rather than on the first request. */
    public void warmUp() {
        for (Authority a : ca.activeAuthorities()) delegate(a);
    }

    private static byte[] status(int code) {
        try {
            return new OCSPRespBuilder().build(code, null).getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public long malformedCount() {
        return malformed.get();
    }

    public long servedCount() {
        return served.get();
    }

    public long cacheHitCount() {
        return cacheHits.get();
    }

    /** For tests: the current responder certificates. */
    public List<X509CertificateHolder> responderCertificates() {
        return delegates.values().stream().map(Delegate::certificate).toList();
    }
}
