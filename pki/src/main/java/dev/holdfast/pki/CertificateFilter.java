package dev.holdfast.pki;

import java.util.Optional;

/** Search criteria over issued certificates; every present field must match. */
public record CertificateFilter(Optional<String> serialHex, Optional<String> commonName, Optional<String> deviceId,
                                Optional<String> sha256, Optional<String> caName, Optional<IssuedCertificate.Status> status,
                                int limit, Optional<String> afterSerialHex) {
    public CertificateFilter {
        serialHex = serialHex == null ? Optional.empty() : serialHex.map(s -> s.toLowerCase(java.util.Locale.ROOT));
        commonName = commonName == null ? Optional.empty() : commonName;
        deviceId = deviceId == null ? Optional.empty() : deviceId;
        sha256 = sha256 == null ? Optional.empty() : sha256.map(s -> s.replace(":", "").toLowerCase(java.util.Locale.ROOT));
        caName = caName == null ? Optional.empty() : caName;
        status = status == null ? Optional.empty() : status;
        afterSerialHex = afterSerialHex == null ? Optional.empty() : afterSerialHex;
        if (limit < 1 || limit > 1000) throw Refusal.invalid("bad-limit", "limit " + limit + " must be 1..1000");
    }

    public static CertificateFilter all() {
        return new CertificateFilter(null, null, null, null, null, null, 100, null);
    }

    public static CertificateFilter bySerial(String serialHex) {
        return new CertificateFilter(Optional.of(serialHex), null, null, null, null, null, 1, null);
    }

    public static CertificateFilter byDevice(String deviceId) {
        return new CertificateFilter(null, null, Optional.of(deviceId), null, null, null, 1000, null);
    }
}
