package dev.holdfast.hub;

import java.time.Instant;
import java.util.Optional;

/**
 * A live device session as the API lists it.
 *
 * @param mqttVersion {@code 3.1.1} or {@code 5}
 * @param scope       {@code full} or {@code quarantine}
 */
public record SessionInfo(String deviceId, Optional<String> moduleId, String remoteAddress, String mqttVersion, String tlsProtocol,
                          String cipherSuite, Instant connectedAt, String scope, String certificateSha256) {
}
