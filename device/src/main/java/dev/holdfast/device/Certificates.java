package dev.holdfast.device;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;

/**
 * Certificate signing requests (RFC 2986), PEM (RFC 7468) and DER certificates, as a device needs
 * them. Signing always goes through the key's own provider, so token keys sign on the token.
 */
public final class Certificates {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Certificates() {
    }

    /**
     * A DER PKCS#10 request for {@code key} with subject {@code CN=commonName}: what DPS (the
     * {@code csr} extension) and EST expect, the registration id or device id as CN.
     */
    public static byte[] csr(DeviceKey key, String commonName) {
        if (commonName == null || commonName.isBlank()) throw new IllegalArgumentException("commonName: blank (expected: the registration id)");
        try {
            PKCS10CertificationRequest req = new JcaPKCS10CertificationRequestBuilder(cn(commonName), key.publicKey())
                    .build(signer(key));
            return req.getEncoded();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A self-signed certificate for {@code key}, valid for a day: a placeholder where a store needs one. */
    public static X509Certificate selfSigned(String commonName, DeviceKey key) {
        Instant now = Instant.now();
        try {
            var b = new JcaX509v3CertificateBuilder(cn(commonName), new BigInteger(64, RANDOM).add(BigInteger.ONE),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(1))), cn(commonName), key.publicKey());
            return new JcaX509CertificateConverter().getCertificate(b.build(signer(key)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot self-sign a placeholder for " + key.location() + ": " + e.getMessage(), e);
        }
    }

    static X500Name cn(String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
    }

    /** A BouncyCastle signer on the key's own provider. */
    public static ContentSigner signer(DeviceKey key) {
        try {
            JcaContentSignerBuilder b = new JcaContentSignerBuilder(key.signatureAlgorithm());
            key.provider().ifPresent(b::setProvider);
            return b.build(key.privateKey());
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("cannot sign with " + key.location() + ": " + e.getMessage(), e);
        }
    }

    /** The certificate in DER. */
    public static X509Certificate fromDer(byte[] der) throws CertificateException {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }

    /** Every {@code CERTIFICATE} block of a PEM text, in order. */
    public static List<X509Certificate> fromPem(String pem) throws CertificateException {
        List<X509Certificate> out = new ArrayList<>();
        for (var c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
            out.add((X509Certificate) c);
        }
        return out;
    }

    public static List<X509Certificate> readPem(Path file) {
        try {
            List<X509Certificate> certs = fromPem(Files.readString(file, StandardCharsets.US_ASCII));
            if (certs.isEmpty()) throw new IllegalArgumentException(file + ": no PEM certificate in the file");
            return certs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (CertificateException e) {
            throw new IllegalArgumentException(file + ": not a PEM certificate file: " + e.getMessage(), e);
        }
    }

    public static String toPem(List<X509Certificate> certificates) {
        StringBuilder sb = new StringBuilder();
        for (X509Certificate c : certificates) {
            try {
                sb.append(pem("CERTIFICATE", c.getEncoded()));
            } catch (java.security.cert.CertificateEncodingException e) {
                throw new IllegalStateException(e);
            }
        }
        return sb.toString();
    }

    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** The CN of the certificate's subject, or the whole subject when it has none. */
    public static String commonName(X509Certificate c) {
        X500Name name = X500Name.getInstance(c.getSubjectX500Principal().getEncoded());
        var rdns = name.getRDNs(BCStyle.CN);
        return rdns.length == 0 ? name.toString() : rdns[0].getFirst().getValue().toString();
    }
}
