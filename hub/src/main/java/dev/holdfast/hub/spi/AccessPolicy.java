package dev.holdfast.hub.spi;

import dev.holdfast.hub.AccessDecision;
import dev.holdfast.registry.Device;

import java.security.cert.X509Certificate;

/**
 * Decides the scope of an authenticated device's session; the policy module supplies the real one.
 * Called once per CONNECT, off the network threads (it may block briefly), after the certificate, the
 * revocation set and the registry have accepted the device. Exactly one decisive outcome.
 */
@FunctionalInterface
public interface AccessPolicy {
    /** The default until the policy module plugs in: a device the registry says is in service gets its namespace. */
    AccessPolicy ALLOW_ALL = (device, certificate, tls) -> AccessDecision.ALLOW;

    /**
     * @param device      the device as the registry holds it now
     * @param certificate the client certificate it presented
     * @param tlsProtocol the negotiated TLS version ({@code TLSv1.3})
     */
    AccessDecision decide(Device device, X509Certificate certificate, String tlsProtocol);
}
