package dev.holdfast.device.sim;

import dev.holdfast.device.Certificates;
import dev.holdfast.device.DeviceIdentity;
import dev.holdfast.device.DeviceKey;
import dev.holdfast.device.SoftwareKeys;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

import javax.security.auth.x500.X500Principal;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * The simulator's factory: a manufacturer CA that issues each device its IDevID (the long-lived
 * factory certificate, CN = registration id, IEEE 802.1AR style) at "manufacture". The CA is
 * generated, or loaded from a PEM certificate and key so that an enrollment group made earlier
 * keeps working.
 */
public final class Factory {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final DeviceKey caKey;
    private final X509Certificate caCertificate;

    private Factory(DeviceKey caKey, X509Certificate caCertificate) {
        this.caKey = caKey;
        this.caCertificate = caCertificate;
    }

    /** A new manufacturer CA named {@code name}, valid from ten years ago for thirty years. */
    public static Factory generate(String name) {
        DeviceKey key = SoftwareKeys.generateP256();
        Instant now = Instant.now();
        X500Principal subject = new X500Principal("CN=" + name + ",O=Holdfast Simulated Manufacturing");
        try {
            var b = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(now.minus(Duration.ofDays(3650))),
                    Date.from(now.plus(Duration.ofDays(7300))), subject, key.publicKey());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, new JcaX509ExtensionUtils().createSubjectKeyIdentifier(key.publicKey()));
            return new Factory(key, new JcaX509CertificateConverter().getCertificate(b.build(Certificates.signer(key))));
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the manufacturer CA: " + e.getMessage(), e);
        }
    }

    /** Loads a manufacturer CA from PEM files (certificate; PKCS#8 or SEC1 EC private key). */
    public static Factory load(Path certificatePem, Path keyPem) {
        X509Certificate cert = Certificates.readPem(certificatePem).getFirst();
        try (PEMParser p = new PEMParser(new StringReader(Files.readString(keyPem, StandardCharsets.US_ASCII)))) {
            Object o = p.readObject();
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            PrivateKey key = switch (o) {
                case PEMKeyPair kp -> conv.getKeyPair(kp).getPrivate();
                case PrivateKeyInfo info -> conv.getPrivateKey(info);
                case null, default -> throw new IllegalArgumentException(keyPem + ": not an unencrypted PEM private key");
            };
            return new Factory(SoftwareKeys.of(new KeyPair(cert.getPublicKey(), key)), cert);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + keyPem, e);
        }
    }

    /** Writes the CA certificate and (mode 0600) its key as PEM, for reuse with {@link #load}. */
    public void save(Path certificatePem, Path keyPem) {
        try {
            Files.writeString(certificatePem, Certificates.toPem(List.of(caCertificate)), StandardCharsets.US_ASCII);
            Files.deleteIfExists(keyPem);
            Files.createFile(keyPem, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(keyPem, Certificates.pem("PRIVATE KEY", caKey.privateKey().getEncoded()), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the manufacturer CA", e);
        }
    }

    public X509Certificate certificate() {
        return caCertificate;
    }

    /**
     * Manufactures one device: a fresh key and an IDevID for {@code registrationId}, made
     * {@code age} ago and valid for twenty years from then.
     */
    public DeviceIdentity manufacture(String registrationId, Duration age) {
        DeviceKey key = SoftwareKeys.generateP256();
        Instant made = Instant.now().minus(age);
        try {
            var b = new JcaX509v3CertificateBuilder(caCertificate.getSubjectX500Principal(), serial(), Date.from(made),
                    Date.from(made.plus(Duration.ofDays(7300))), new X500Principal("CN=" + registrationId), key.publicKey());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
            b.addExtension(Extension.authorityKeyIdentifier, false, new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(caCertificate));
            X509Certificate leaf = new JcaX509CertificateConverter().getCertificate(b.build(Certificates.signer(caKey)));
            return new DeviceIdentity(key, List.of(leaf, caCertificate));
        } catch (Exception e) {
            throw new IllegalStateException("cannot issue the IDevID of " + registrationId + ": " + e.getMessage(), e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }
}
