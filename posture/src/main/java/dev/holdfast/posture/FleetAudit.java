package dev.holdfast.posture;

import com.fasterxml.jackson.databind.JsonNode;
import dev.holdfast.registry.Authentication;
import dev.holdfast.registry.ConnectionState;
import dev.holdfast.registry.Device;
import dev.holdfast.registry.DeviceFilter;
import dev.holdfast.registry.DeviceId;
import dev.holdfast.registry.DeviceModel;
import dev.holdfast.registry.DevicePage;
import dev.holdfast.registry.Registry;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The fleet audit, after AWS IoT Device Defender's audit checks: a device certificate shared by several
 * devices, weak device or CA keys, CA and device certificates expiring or expired, a revoked certificate
 * still in use, conflicting MQTT client ids, devices past end of support, and security event export
 * disabled. One finding per check with every subject it concerns.
 */
public final class FleetAudit {
    private FleetAudit() {
    }

    /** One failed audit check and what it concerns (device ids, or CA subjects). */
    public record Finding(String checkId, String title, CheckSeverity severity, String reference, List<String> subjects, String detail) {
        public Finding {
            subjects = List.copyOf(subjects);
        }
    }

    public record Report(Instant at, long devicesAudited, List<Finding> findings) {
        public Report {
            findings = List.copyOf(findings);
        }

        public Optional<Finding> find(String checkId) {
            return findings.stream().filter(f -> f.checkId().equals(checkId)).findFirst();
        }
    }

    static Report run(Registry registry, List<X509Certificate> cas, Function<Device, List<DeviceCredential>> pki, Instant now, PostureSettings s) {
        Map<String, Set<String>> byThumbprint = new TreeMap<>();
        Map<String, Set<String>> byClientId = new TreeMap<>();
        Map<String, Set<String>> perCheck = new HashMap<>();
        Map<String, Optional<DeviceModel>> models = new HashMap<>();
        long n = 0;
        Optional<DeviceId> after = Optional.empty();
        for (int guard = 0; guard < 10_000_000; guard++) {
            DevicePage page = registry.devices().list(DeviceFilter.ALL, after, 1000);
            for (Device d : page.items()) {
                n++;
                String id = d.id().value();
                JsonNode reported = d.twin().reported().toNode();
                Set<String> prints = new LinkedHashSet<>();
                if (d.authentication() instanceof Authentication.Certificate c) prints.addAll(c.thumbprints());
                List<DeviceCredential> creds = new ArrayList<>(pki.apply(d));
                CredentialChecks.fromReported(reported).ifPresent(creds::add);
                for (DeviceCredential c : creds) prints.add(c.sha256());
                for (String p : prints) byThumbprint.computeIfAbsent(p, k -> new TreeSet<>()).add(id);
                String clientId = reported.path("connection").path("clientId").asText("");
                if (!clientId.isEmpty()) byClientId.computeIfAbsent(clientId, k -> new TreeSet<>()).add(id);
                boolean active = d.connectionState() == ConnectionState.CONNECTED;
                for (DeviceCredential c : creds) {
                    boolean inUse = active || (c.revokedAt().isPresent() && d.lastActivity().map(a -> a.isAfter(c.revokedAt().get())).orElse(false));
                    for (CheckResult r : CredentialChecks.check(List.of(c), com.fasterxml.jackson.databind.node.MissingNode.getInstance(), inUse, now, s)) {
                        perCheck.computeIfAbsent(r.checkId(), k -> new TreeSet<>()).add(id);
                    }
                }
                if (d.model().isPresent()) {
                    Optional<DeviceModel> m = models.computeIfAbsent(d.model().get(), k -> registry.models().find(k));
                    var eos = m.flatMap(x -> x.definition().endOfSupport());
                    if (eos.isPresent() && !eos.get().plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC).isAfter(now)) {
                        perCheck.computeIfAbsent("HF-EOS-PAST", k -> new TreeSet<>()).add(id);
                    }
                }
            }
            if (page.next().isEmpty()) break;
            after = page.next();
        }
        List<Finding> out = new ArrayList<>();
        List<String> shared = new ArrayList<>();
        for (var e : byThumbprint.entrySet()) if (e.getValue().size() > 1) shared.add(e.getKey().substring(0, 16) + ": " + String.join(",", e.getValue()));
        if (!shared.isEmpty()) {
            out.add(new Finding("HF-AUDIT-SHARED-CERT", "Device certificate shared by several devices", CheckSeverity.CRITICAL, "ETSI EN 303 645 5.1-1, 5.4-2",
                    byThumbprint.values().stream().filter(v -> v.size() > 1).flatMap(Set::stream).distinct().sorted().toList(),
                    "certificates in use by more than one device: " + String.join("; ", shared)));
        }
        List<String> conflicts = new ArrayList<>();
        for (var e : byClientId.entrySet()) if (e.getValue().size() > 1) conflicts.add(e.getKey() + ": " + String.join(",", e.getValue()));
        if (!conflicts.isEmpty()) {
            out.add(new Finding("HF-AUDIT-CONFLICTING-CLIENT-ID", "MQTT client ids are unique", CheckSeverity.HIGH, "AWS IoT Device Defender CONFLICTING_CLIENT_IDS_CHECK",
                    byClientId.values().stream().filter(v -> v.size() > 1).flatMap(Set::stream).distinct().sorted().toList(),
                    "client ids used by more than one device: " + String.join("; ", conflicts)));
        }
        add(out, perCheck, "HF-CRED-WEAK-KEY", "Device keys are strong enough", CheckSeverity.HIGH, "NIST SP 800-131A", "devices with weak keys");
        add(out, perCheck, "HF-CRED-WEAK-SIGNATURE", "Device certificates use strong signatures", CheckSeverity.HIGH, "NIST SP 800-131A", "devices with SHA-1/MD5 signed certificates");
        add(out, perCheck, "HF-CRED-EXPIRED", "Device certificates are valid", CheckSeverity.CRITICAL, "ETSI EN 303 645 5.4-1", "devices with expired certificates");
        add(out, perCheck, "HF-CRED-EXPIRING", "Device certificates are not about to expire", CheckSeverity.MEDIUM, "NISTIR 8259A Device Identification",
                "devices with certificates expiring within " + s.certificateExpiryWarning().toDays() + " days");
        add(out, perCheck, "HF-CRED-REVOKED-IN-USE", "No revoked certificate in use", CheckSeverity.CRITICAL, "ETSI EN 303 645 5.4-1", "devices active after their certificate was revoked");
        add(out, perCheck, "HF-EOS-PAST", "Devices are within their model's support period", CheckSeverity.HIGH, "ETSI EN 303 645 5.3-13", "devices past end of support");
        List<String> weakCa = new ArrayList<>(), expiringCa = new ArrayList<>();
        for (X509Certificate ca : cas) {
            DeviceCredential c = DeviceCredential.of(ca, Optional.empty(), "ca");
            String subject = ca.getSubjectX500Principal().getName();
            boolean weak = (c.keyAlgorithm().equals("RSA") && c.keySize() < Math.max(s.minRsaBits(), 2048)) || (c.keyAlgorithm().equals("EC") && c.keySize() < s.minEcBits());
            if (weak) weakCa.add(subject + " (" + c.keyAlgorithm() + " " + c.keySize() + ")");
            if (c.notAfter().isBefore(now.plus(s.certificateExpiryWarning()))) expiringCa.add(subject + " (notAfter " + c.notAfter() + ")");
        }
        if (!weakCa.isEmpty()) out.add(new Finding("HF-AUDIT-CA-WEAK-KEY", "CA keys are strong enough", CheckSeverity.CRITICAL, "NIST SP 800-131A", weakCa, "weak CA keys"));
        if (!expiringCa.isEmpty()) {
            out.add(new Finding("HF-AUDIT-CA-EXPIRING", "CA certificates are not about to expire", CheckSeverity.HIGH, "AWS IoT Device Defender CA_CERTIFICATE_EXPIRING_CHECK",
                    expiringCa, "CA certificates expiring within " + s.certificateExpiryWarning().toDays() + " days"));
        }
        if (!s.eventExportEnabled()) {
            out.add(new Finding("HF-AUDIT-EVENT-EXPORT", "Security events are exported", CheckSeverity.MEDIUM, "NISTIR 8259A Cybersecurity State Awareness; AWS IoT Device Defender LOGGING_DISABLED_CHECK",
                    List.of("server"), "no SIEM export of security events is configured"));
        }
        return new Report(now, n, out);
    }

    private static void add(List<Finding> out, Map<String, Set<String>> per, String id, String title, CheckSeverity s, String ref, String detail) {
        Set<String> devices = per.get(id);
        if (devices != null && !devices.isEmpty()) out.add(new Finding(id, title, s, ref, List.copyOf(devices), detail + ": " + devices.size()));
    }
}
