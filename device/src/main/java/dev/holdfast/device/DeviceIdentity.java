package dev.holdfast.device;

import dev.holdfast.device.internal.DeviceTls;

import javax.net.ssl.SSLContext;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A key and the certificate chain issued for it, leaf first: the IDevID a factory installs, or the
 * operational certificate (LDevID) provisioning issues. It presents itself in TLS handshakes.
 */
public record DeviceIdentity(DeviceKey key, List<X509Certificate> chain) {
    public DeviceIdentity {
        if (key == null) throw new IllegalArgumentException("key: null");
        chain = List.copyOf(chain);
        if (chain.isEmpty()) throw new IllegalArgumentException("chain: empty (expected: the leaf certificate first)");
        if (!chain.getFirst().getPublicKey().equals(key.publicKey())) {
            throw new IllegalArgumentException("chain: the leaf " + chain.getFirst().getSubjectX500Principal()
                    + " does not certify the key at " + key.location());
        }
    }

    public X509Certificate leaf() {
        return chain.getFirst();
    }

    /** The leaf's subject CN: the registration id of an IDevID, the device id of an operational certificate. */
    public String commonName() {
        return Certificates.commonName(leaf());
    }

    /** How long the leaf has been valid at {@code now}: its age, which posture reports. */
    public Duration age(Instant now) {
        return Duration.between(leaf().getNotBefore().toInstant(), now);
    }

    /**
     * A TLS client context that presents this identity and trusts only {@code trustAnchors}, with
     * Holdfast's TLS policy (TLS 1.2+, AEAD suites) applied to every engine made from it.
     */
    public SSLContext sslContext(List<X509Certificate> trustAnchors) {
        return DeviceTls.clientContext(this, trustAnchors);
    }
}
