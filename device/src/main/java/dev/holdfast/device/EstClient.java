package dev.holdfast.device;

import dev.holdfast.device.internal.DeviceTls;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * Certificate renewal over EST (RFC 7030 §4.2.2 {@code simplereenroll}): the current certificate
 * authenticates the TLS connection, the body is a base64 PKCS#10 for a new key with the same
 * subject, and the reply a base64 certs-only PKCS#7 (RFC 7030 §4.2.3). Blocking; use a virtual thread.
 */
public final class EstClient {
    /** Largest reply body read; a certs-only reply with a three-certificate chain is under 4 KB. */
    static final int MAX_BODY = 256 * 1024;

    private final URI base;
    private final List<X509Certificate> trust;

    /** @param base the server, e.g. {@code https://holdfast.example:8443}; the EST path is added */
    public EstClient(URI base, List<X509Certificate> trust) {
        if (!"https".equals(base.getScheme())) throw new IllegalArgumentException("base: " + base + " (expected: an https URL)");
        this.base = base;
        this.trust = List.copyOf(trust);
    }

    /** Renews {@code current} for {@code newKey} (the same key is allowed, a fresh one is better). */
    public DeviceIdentity reenroll(DeviceIdentity current, DeviceKey newKey) throws IOException {
        byte[] csr = Certificates.csr(newKey, current.commonName());
        URI uri = URI.create(base.toString().replaceAll("/+$", "") + "/.well-known/est/simplereenroll");
        try (HttpClient http = HttpClient.newBuilder().sslContext(current.sslContext(trust))
                .sslParameters(DeviceTls.parameters(new javax.net.ssl.SSLParameters()))
                .connectTimeout(Duration.ofSeconds(10)).executor(Executors.newVirtualThreadPerTaskExecutor()).build()) {
            HttpResponse<byte[]> reply = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/pkcs10").header("Content-Transfer-Encoding", "base64")
                    .POST(HttpRequest.BodyPublishers.ofString(Base64.getMimeEncoder().encodeToString(csr))).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            byte[] body = reply.body() == null ? new byte[0] : reply.body();
            if (reply.statusCode() != 200) {
                String text = new String(body, 0, Math.min(body.length, 500), StandardCharsets.UTF_8);
                throw new IOException("EST simplereenroll for " + current.commonName() + " answered " + reply.statusCode() + ": " + text);
            }
            List<X509Certificate> certs;
            try {
                certs = parseCertsOnly(body);
            } catch (MalformedMessageException e) {
                throw new IOException("EST simplereenroll reply is malformed: " + e.getMessage(), e);
            }
            return new DeviceIdentity(newKey, chainFor(newKey, certs, current.chain()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted during EST simplereenroll", e);
        }
    }

    /**
     * The certificates of a base64 (any line breaks) DER certs-only CMS SignedData, in the order
     * they appear.
     */
    public static List<X509Certificate> parseCertsOnly(byte[] base64Body) throws MalformedMessageException {
        if (base64Body.length > MAX_BODY) throw new MalformedMessageException("EST reply of " + base64Body.length + " bytes exceeds " + MAX_BODY);
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(base64Body);
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException("EST reply is not base64 (RFC 7030 §4.2.3): " + e.getMessage());
        }
        try {
            CMSSignedData signed = new CMSSignedData(der);
            List<X509Certificate> out = new ArrayList<>();
            for (X509CertificateHolder h : signed.getCertificates().getMatches(null)) {
                out.add(Certificates.fromDer(h.getEncoded()));
            }
            if (out.isEmpty()) throw new MalformedMessageException("EST reply carries no certificate");
            return out;
        } catch (CMSException | IOException | CertificateException | RuntimeException e) {
            // BouncyCastle reports some malformed ASN.1 as runtime exceptions; they are still bad input.
            throw new MalformedMessageException("EST reply is not a DER certs-only PKCS#7: " + e.getMessage());
        }
    }

    /** Orders {@code certs} leaf first (the one for {@code key}), then issuers, adding known issuers from {@code previous}. */
    static List<X509Certificate> chainFor(DeviceKey key, List<X509Certificate> certs, List<X509Certificate> previous) throws IOException {
        X509Certificate leaf = certs.stream().filter(c -> c.getPublicKey().equals(key.publicKey())).findFirst()
                .orElseThrow(() -> new IOException("EST reply has no certificate for the new key"));
        List<X509Certificate> pool = new ArrayList<>(certs);
        pool.addAll(previous.subList(Math.min(1, previous.size()), previous.size()));
        List<X509Certificate> chain = new ArrayList<>(List.of(leaf));
        X509Certificate at = leaf;
        for (int i = 0; i < 8 && !at.getIssuerX500Principal().equals(at.getSubjectX500Principal()); i++) {
            X509Certificate cur = at;
            X509Certificate issuer = pool.stream().filter(c -> c != cur && c.getSubjectX500Principal().equals(cur.getIssuerX500Principal()))
                    .findFirst().orElse(null);
            if (issuer == null || chain.contains(issuer)) break;
            chain.add(issuer);
            at = issuer;
        }
        return chain;
    }

    /**
     * Renewal timing: renew once {@code fraction} of the certificate's lifetime has passed (2/3 by
     * default), so a device that is offline for a while still renews before expiry.
     */
    public static boolean renewalDue(X509Certificate c, Instant now, double fraction) {
        if (!(fraction > 0 && fraction < 1)) throw new IllegalArgumentException("fraction: " + fraction + " (expected: 0 < f < 1)");
        long from = c.getNotBefore().getTime();
        long to = c.getNotAfter().getTime();
        return now.toEpochMilli() >= from + (long) ((to - from) * fraction);
    }
}
