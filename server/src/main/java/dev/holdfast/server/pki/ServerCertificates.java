package dev.holdfast.server.pki;

import dev.holdfast.pki.Bytes;
import dev.holdfast.pki.IssuanceRequest;
import dev.holdfast.pki.IssuedCertificate;
import dev.holdfast.pki.Pki;
import dev.holdfast.pki.Profile;
import dev.holdfast.pki.SubjectAuthorization;
import dev.holdfast.server.http.ServerIdentity;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

import java.net.InetAddress;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The server's own TLS identity, issued by the infrastructure CA for a key that lives only in
 * memory: each start (and each renewal, at two thirds of the lifetime) makes a new key, so no server
 * key is ever at rest. SANs: the public host name, localhost, 127.0.0.1, ::1 and the configured extras.
 */
public final class ServerCertificates {
    private ServerCertificates() {
    }

    /** A server identity and when to renew it. */
    public record Issued(ServerIdentity identity, IssuedCertificate certificate, Instant renewAt) {
    }

    public static Issued issue(Pki pki, String publicHostname, List<String> extraNames, List<X509Certificate> clientAnchors) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair kp = g.generateKeyPair();
            byte[] csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + publicHostname.replaceAll("[,+=\"\\\\<>;]", "")), kp.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
            Set<String> names = new LinkedHashSet<>();
            names.add(publicHostname);
            names.add("localhost");
            names.add("127.0.0.1");
            names.add("::1");
            names.addAll(extraNames);
            List<String> dns = new ArrayList<>();
            List<String> ips = new ArrayList<>();
            for (String n : names) (isIpLiteral(n) ? ips : dns).add(n);
            IssuedCertificate issued = pki.ca().issue(new IssuanceRequest(Bytes.wrapOwned(csr), Profile.SERVER,
                    new SubjectAuthorization(publicHostname, dns, ips, Optional.empty()), Optional.empty(), "system"));
            X509Certificate leaf = new JcaX509CertificateConverter().getCertificate(new X509CertificateHolder(issued.der().toArray()));
            List<X509Certificate> chain = new ArrayList<>();
            chain.add(leaf);
            chain.addAll(pki.ca().chain("infrastructure"));
            Duration life = Duration.between(issued.notBefore(), issued.notAfter());
            Instant renewAt = issued.notBefore().plus(life.multipliedBy(2).dividedBy(3));
            return new Issued(ServerIdentity.of(kp.getPrivate(), chain, clientAnchors), issued, renewAt);
        } catch (Exception e) {
            if (e instanceof RuntimeException r) throw r;
            throw new IllegalStateException("cannot issue the server certificate: " + e.getMessage(), e);
        }
    }

    static boolean isIpLiteral(String s) {
        if (s.contains(":")) return true; // only IPv6 literals contain colons among valid names
        if (!s.matches("[0-9.]+")) return false;
        try {
            return InetAddress.getByName(s) != null;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
