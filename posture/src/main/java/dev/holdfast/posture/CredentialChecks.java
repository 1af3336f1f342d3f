package dev.holdfast.posture;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Certificate and connection checks on one device: expiry (and the warning window), age, key algorithm
 * and size, signature algorithm, a revoked certificate still in use, and the TLS version and suite the
 * hub negotiated ({@code reported.connection.tls}, see docs/posture.md).
 */
public final class CredentialChecks {
    private CredentialChecks() {
    }

    public static List<CheckResult> check(List<DeviceCredential> creds, JsonNode reported, boolean inUseSinceRevocation, Instant now, PostureSettings s) {
        List<CheckResult> out = new ArrayList<>();
        for (DeviceCredential c : creds) {
            String cert = "certificate " + c.sha256().substring(0, Math.min(16, c.sha256().length())) + " (" + c.source() + ")";
            if (c.notAfter().isBefore(now)) {
                out.add(fail("HF-CRED-EXPIRED", "Device certificate is valid", CheckSeverity.CRITICAL, "ETSI EN 303 645 5.4-1; NISTIR 8259A Device Identification",
                        cert + " expired " + c.notAfter(), "Renew the device certificate (EST re-enrollment)."));
            } else if (c.notAfter().isBefore(now.plus(s.certificateExpiryWarning()))) {
                out.add(fail("HF-CRED-EXPIRING", "Device certificate is not about to expire", CheckSeverity.MEDIUM, "NISTIR 8259A Device Identification",
                        cert + " expires " + c.notAfter() + ", within " + s.certificateExpiryWarning().toDays() + " days", "Renew the device certificate before it expires."));
            }
            if (c.notBefore().plus(s.maxCertificateAge()).isBefore(now)) {
                out.add(fail("HF-CRED-AGE", "Device certificate is not older than the maximum age", CheckSeverity.LOW, "NISTIR 8259A Device Identification",
                        cert + " issued " + c.notBefore() + ", older than " + s.maxCertificateAge().toDays() + " days", "Rotate the device key and certificate."));
            }
            String alg = c.keyAlgorithm().toUpperCase(Locale.ROOT);
            boolean weak = (alg.equals("RSA") && c.keySize() < s.minRsaBits()) || (alg.equals("EC") && c.keySize() < s.minEcBits())
                    || alg.equals("DSA");
            if (weak) {
                out.add(fail("HF-CRED-WEAK-KEY", "Device key is strong enough", CheckSeverity.HIGH, "ETSI EN 303 645 5.4-1; NIST SP 800-131A",
                        cert + " has a " + c.keyAlgorithm() + " " + c.keySize() + "-bit key (minimum RSA " + s.minRsaBits() + ", EC " + s.minEcBits() + ")",
                        "Re-key the device with EC P-256 or RSA 3072 and re-enroll."));
            }
            String sig = c.signatureAlgorithm().toUpperCase(Locale.ROOT);
            if (sig.contains("MD5") || sig.contains("SHA1") || sig.contains("SHA-1")) {
                out.add(fail("HF-CRED-WEAK-SIGNATURE", "Certificate signature algorithm is strong", CheckSeverity.HIGH, "NIST SP 800-131A",
                        cert + " is signed with " + c.signatureAlgorithm(), "Re-issue the certificate with SHA-256 or stronger."));
            }
            if (c.revokedAt().isPresent() && inUseSinceRevocation) {
                out.add(fail("HF-CRED-REVOKED-IN-USE", "No revoked certificate in use", CheckSeverity.CRITICAL, "ETSI EN 303 645 5.4-1",
                        cert + " was revoked " + c.revokedAt().get() + " and the device was active since", "Check the hub's revocation feed; quarantine the device."));
            }
        }
        JsonNode tls = reported.path("connection").path("tls");
        if (tls.path("version").isTextual()) {
            String v = tls.get("version").asText();
            if (!v.equals("TLSv1.2") && !v.equals("TLSv1.3")) {
                out.add(fail("HF-CONN-TLS-VERSION", "Negotiated TLS is 1.2 or later", CheckSeverity.HIGH, "ETSI EN 303 645 5.5-1",
                        "the hub negotiated " + v, "Upgrade the device's TLS stack to TLS 1.2 or 1.3."));
            }
            String suite = tls.path("cipherSuite").asText("");
            if (!suite.isEmpty() && !(suite.contains("GCM") || suite.contains("CHACHA20") || suite.contains("CCM"))) {
                out.add(fail("HF-CONN-TLS-SUITE", "Negotiated cipher suite is AEAD", CheckSeverity.MEDIUM, "ETSI EN 303 645 5.5-1",
                        "the hub negotiated " + suite, "Offer only AEAD suites (AES-GCM, ChaCha20-Poly1305)."));
            }
        }
        JsonNode seen = reported.path("observed").path("cleartextCredentials");
        if (seen.asBoolean(false)) {
            out.add(fail("HF-CONN-CLEARTEXT-CREDENTIALS", "No cleartext credentials on the network", CheckSeverity.HIGH, "ETSI EN 303 645 5.5-5",
                    "the sensor saw credentials in cleartext", "Disable the cleartext protocol or wrap it in TLS."));
        }
        return out;
    }

    static CheckResult fail(String id, String title, CheckSeverity s, String ref, String detail, String remediation) {
        return new CheckResult(id, title, s, ref, CheckResult.Outcome.FAIL, detail, remediation);
    }

    /** The credential the device reports about itself ({@code reported.certificate}), if complete. */
    public static Optional<DeviceCredential> fromReported(JsonNode reported) {
        JsonNode c = reported.path("certificate");
        if (!c.path("sha256").isTextual() || !c.path("notBefore").isTextual() || !c.path("notAfter").isTextual()) return Optional.empty();
        try {
            return Optional.of(new DeviceCredential(c.get("sha256").asText().toLowerCase(Locale.ROOT).replace(":", ""),
                    Instant.parse(c.get("notBefore").asText()), Instant.parse(c.get("notAfter").asText()), c.path("keyAlgorithm").asText(""),
                    c.path("keySize").asInt(0), c.path("signatureAlgorithm").asText(""), Optional.empty(), "reported"));
        } catch (java.time.format.DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
