package dev.holdfast.posture;

import dev.holdfast.registry.JsonDocument;

/**
 * Reported properties shaped like the fleet simulator's (the schema in docs/posture.md): one device
 * configured as ETSI EN 303 645 asks, and the same device as it too often ships.
 */
final class SimulatedFleet {
    private SimulatedFleet() {
    }

    static final String SECURE_SHA = "a1".repeat(32);

    static JsonDocument secure(String firmware, String clientId) {
        return JsonDocument.parse("""
                {"firmware":{"version":"%s"},
                 "services":{"ssh":{"port":22,"passwordLogin":false},"mqtt":{"port":8883}},
                 "security":{"secureBoot":true,"debugPorts":{"jtag":false,"uart":false},"defaultCredentials":false},
                 "time":{"ntp":{"enabled":true,"servers":["ntp.example.net"]}},
                 "update":{"mechanism":"ota","signed":true},
                 "certificate":{"sha256":"%s","notBefore":"2026-06-01T00:00:00Z","notAfter":"2027-06-01T00:00:00Z",
                                "keyAlgorithm":"EC","keySize":256,"signatureAlgorithm":"SHA256withECDSA"},
                 "connection":{"clientId":"%s","tls":{"version":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256"}}}"""
                .formatted(firmware, SECURE_SHA.substring(0, 60) + Math.floorMod(clientId.hashCode(), 10) + "000", clientId));
    }

    /** As shipped: telnet and FTP open, SSH password login, debug ports on, no secure boot, factory password, no NTP, no updates, a weak and expiring certificate, TLS 1.1. */
    static JsonDocument insecure(String firmware, String clientId, String certSha) {
        return JsonDocument.parse("""
                {"firmware":{"version":"%s"},
                 "services":{"ssh":{"port":22,"passwordLogin":true},"telnet":{"port":23},"ftp":{"port":21}},
                 "security":{"secureBoot":false,"debugPorts":{"jtag":true,"uart":false},"defaultCredentials":true},
                 "time":{"ntp":{"enabled":false,"servers":[]}},
                 "update":{"mechanism":"none"},
                 "certificate":{"sha256":"%s","notBefore":"2024-01-01T00:00:00Z","notAfter":"2026-12-10T00:00:00Z",
                                "keyAlgorithm":"RSA","keySize":1024,"signatureAlgorithm":"SHA1withRSA"},
                 "connection":{"clientId":"%s","tls":{"version":"TLSv1.1","cipherSuite":"TLS_RSA_WITH_AES_128_CBC_SHA"}}}"""
                .formatted(firmware, certSha, clientId));
    }

    /** The merge patch that turns {@link #insecure} into {@link #secure} on firmware {@code firmware}. */
    static JsonDocument fix(String firmware, String clientId) {
        JsonDocument secure = secure(firmware, clientId);
        var node = secure.toNode();
        ((com.fasterxml.jackson.databind.node.ObjectNode) node.get("services")).putNull("telnet").putNull("ftp");
        return JsonDocument.of(node);
    }
}
