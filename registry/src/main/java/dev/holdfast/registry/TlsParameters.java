package dev.holdfast.registry;

import java.time.Instant;

/**
 * What a device's last TLS session with the hub negotiated, as the hub recorded it; posture judges it.
 *
 * @param protocol    JSSE name of the version ({@code TLSv1.3}, {@code TLSv1.2})
 * @param cipherSuite IANA name of the cipher suite ({@code TLS_AES_128_GCM_SHA256})
 * @param at          when the session was established
 */
public record TlsParameters(String protocol, String cipherSuite, Instant at) {
    public TlsParameters {
        if (protocol == null || protocol.isBlank() || protocol.length() > 32) {
            throw new IllegalArgumentException("protocol: '" + protocol + "' (expected: 1..32 characters)");
        }
        if (cipherSuite == null || cipherSuite.isBlank() || cipherSuite.length() > 128) {
            throw new IllegalArgumentException("cipherSuite: '" + cipherSuite + "' (expected: 1..128 characters)");
        }
        if (at == null) throw new IllegalArgumentException("at: null");
    }
}
