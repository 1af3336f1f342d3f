package dev.holdfast.posture;

import dev.holdfast.events.EventClass;
import dev.holdfast.events.SecurityEvent;
import dev.holdfast.posture.advisory.ImportReport;
import dev.holdfast.registry.Authentication;
import dev.holdfast.registry.DeviceId;
import dev.holdfast.registry.DeviceModel;
import dev.holdfast.registry.HealthSummary;
import dev.holdfast.registry.NewDevice;
import dev.holdfast.registry.Registry;
import dev.holdfast.registry.ConnectionState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Baselines, credential checks, vulnerabilities, end of support and the audit on simulated devices in a real registry. */
class PostureEvaluationTest {
    @TempDir
    Path tmp;
    PostureFixture f;
    Registry registry;
    Posture posture;

    static final String SBOM_10 = """
            {"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[
              {"type":"library","bom-ref":"ssl","name":"openssl","version":"3.0.11-1~deb12u1","purl":"pkg:deb/debian/openssl@3.0.11-1~deb12u1"},
              {"type":"library","bom-ref":"bb","name":"busybox","version":"1.36.1-r15","purl":"pkg:apk/alpine/busybox@1.36.1-r15"}]}""";
    static final String SBOM_11 = SBOM_10.replace("3.0.11-1~deb12u1", "3.0.11-1~deb12u2").replace("1.36.1-r15", "1.36.1-r16");

    @BeforeEach
    void open() throws Exception {
        f = new PostureFixture(tmp.resolve("db"));
        registry = Registry.open(f.db, f.events::add, f.clock, tmp.resolve("reg")).start();
        posture = Posture.open(f.db, registry, f.events::add, f.clock, PostureSettings.DEFAULTS, dev.holdfast.posture.baseline.RulePack.defaultPack(), d -> List.of());
        registry.models().create(new DeviceModel.Definition("acme-cam", "Acme", "Cam", Optional.empty(), Optional.of(LocalDate.parse("2030-01-01")), Optional.empty()), "t");
        registry.models().create(new DeviceModel.Definition("old-cam", "Acme", "Old Cam", Optional.empty(), Optional.of(LocalDate.parse("2025-06-30")), Optional.empty()), "t");
        Path adv = Files.createDirectories(tmp.resolve("adv"));
        Files.writeString(adv.resolve("DSA-1.json"), """
                {"id":"DSA-0001-1","modified":"2026-01-01T00:00:00Z","aliases":["CVE-2026-0001"],
                 "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
                 "affected":[{"package":{"ecosystem":"Debian:12","name":"openssl"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.0.11-1~deb12u2"}]}]}]}""");
        ImportReport r = posture.importAdvisories(adv, "t");
        assertThat(r.added()).isEqualTo(1);
        posture.uploadSbom(new FirmwareImage("acme-cam", "1.0"), SBOM_10.getBytes(), "t");
        posture.uploadSbom(new FirmwareImage("acme-cam", "1.1"), SBOM_11.getBytes(), "t");
    }

    @AfterEach
    void close() {
        posture.close();
        registry.close();
        f.close();
    }

    private DeviceId device(String id, String model, dev.holdfast.registry.JsonDocument reported) {
        registry.devices().create(NewDevice.builder(DeviceId.parse(id)).model(model).reported(reported).build(), "t");
        return DeviceId.parse(id);
    }

    @Test
    void insecureDevice_failsExactlyTheExpectedChecks_andANewTwinReportMakesItCompliant() throws Exception {
        DeviceId id = device("cam-1", "acme-cam", SimulatedFleet.insecure("1.0", "cam-1", "b2".repeat(32)));
        DevicePosture p = posture.evaluate(id);
        assertThat(p.compliance()).isEqualTo(HealthSummary.Compliance.NON_COMPLIANT);
        assertThat(p.checks().stream().filter(CheckResult::failed).map(CheckResult::checkId).sorted()).containsExactly(
                "HF-BASE-DEBUG-PORTS", "HF-BASE-DEFAULT-PASSWORD", "HF-BASE-FTP", "HF-BASE-SECURE-BOOT", "HF-BASE-SSH-PASSWORD", "HF-BASE-TELNET",
                "HF-BASE-TIME-SYNC", "HF-BASE-UPDATE-MECHANISM", "HF-CONN-TLS-SUITE", "HF-CONN-TLS-VERSION", "HF-CRED-AGE", "HF-CRED-EXPIRING",
                "HF-CRED-WEAK-KEY", "HF-CRED-WEAK-SIGNATURE");
        assertThat(p.checks()).filteredOn(c -> c.checkId().equals("HF-BASE-UPDATE-SIGNED")).singleElement()
                .satisfies(c -> assertThat(c.outcome()).isEqualTo(CheckResult.Outcome.NOT_APPLICABLE));
        assertThat(p.openFindings()).singleElement().satisfies(x -> {
            assertThat(x.advisory().id()).isEqualTo("DSA-0001-1");
            assertThat(x.fixedVersion()).contains("3.0.11-1~deb12u2");
        });
        // Worst item: CVSS 9.8 without KEV/EPSS = 98 * 0.7 = 68.6 is below the critical default password (90); 90 + 2 per other item >= 40.
        assertThat(p.risk()).isEqualTo(100.0);
        assertThat(p.recommendations().get(0).because()).containsExactly("HF-BASE-DEFAULT-PASSWORD");
        assertThat(p.recommendations()).anySatisfy(r -> assertThat(r.action()).startsWith("upgrade pkg:deb/debian/openssl@3.0.11-1~deb12u1 to 3.0.11-1~deb12u2"));
        HealthSummary stored = registry.devices().get(id).health();
        assertThat(stored.compliance()).isEqualTo(HealthSummary.Compliance.NON_COMPLIANT);
        assertThat(stored.reasons().get(0)).startsWith("HF-BASE-DEFAULT-PASSWORD");
        assertThat(f.events).filteredOn(e -> e.eventClass() == EventClass.VULNERABILITY_FINDING).singleElement()
                .satisfies(e -> assertThat(e.message()).contains("DSA-0001-1"));
        assertThat(f.events).filteredOn(e -> e.eventClass() == EventClass.COMPLIANCE_FINDING).hasSize(14);

        // The device updates its firmware and configuration and reports it: the twin listener re-evaluates it.
        registry.devices().patchReported(id, SimulatedFleet.fix("1.1", "cam-1"));
        posture.flush(Duration.ofSeconds(30));
        HealthSummary fixed = registry.devices().get(id).health();
        assertThat(fixed.compliance()).as(fixed.reasons().toString()).isEqualTo(HealthSummary.Compliance.COMPLIANT);
        assertThat(fixed.risk()).contains(0.0);
        assertThat(f.activities()).contains("posture.compliance.changed");
        // Re-evaluating an unchanged device stores and emits nothing new.
        int before = f.events.size();
        posture.evaluate(id);
        assertThat(f.events).hasSize(before);
    }

    @Test
    void deviceWithoutReports_isUnknown() {
        DeviceId id = device("cam-2", "acme-cam", dev.holdfast.registry.JsonDocument.empty());
        DevicePosture p = posture.evaluate(id);
        assertThat(p.compliance()).isEqualTo(HealthSummary.Compliance.UNKNOWN);
        assertThat(p.reasons()).contains("firmware unknown: no model or reported firmware.version", "HF-BASE-SECURE-BOOT: not reported");
    }

    @Test
    void pastEndOfSupport_isNonCompliant() {
        DeviceId id = device("old-1", "old-cam", SimulatedFleet.secure("1.0", "old-1"));
        DevicePosture p = posture.evaluate(id);
        assertThat(p.checks().stream().filter(CheckResult::failed).map(CheckResult::checkId)).containsExactly("HF-EOS-PAST");
        assertThat(p.compliance()).isEqualTo(HealthSummary.Compliance.NON_COMPLIANT);
    }

    @Test
    void advisoryImport_reevaluatesDevicesOnAffectedImages() throws Exception {
        DeviceId id = device("cam-3", "acme-cam", SimulatedFleet.secure("1.1", "cam-3"));
        assertThat(posture.evaluate(id).compliance()).isEqualTo(HealthSummary.Compliance.COMPLIANT);
        Path adv = Files.createDirectories(tmp.resolve("adv2"));
        Files.writeString(adv.resolve("ALPINE-1.json"), """
                {"id":"ALPINE-CVE-2026-0002","modified":"2026-02-01T00:00:00Z",
                 "affected":[{"package":{"ecosystem":"Alpine:v3.19","name":"busybox"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.36.1-r17"}]}]}]}""");
        posture.importAdvisories(adv, "t");
        posture.flush(Duration.ofSeconds(30));
        HealthSummary h = registry.devices().get(id).health();
        // No CVSS: scored as 5.0, below 7.0 and not KEV: still compliant but with risk and a reason.
        assertThat(h.compliance()).isEqualTo(HealthSummary.Compliance.COMPLIANT);
        assertThat(h.risk()).contains(35.0);
        assertThat(h.reasons()).singleElement().asString().startsWith("ALPINE-CVE-2026-0002 in pkg:apk/alpine/busybox@1.36.1-r16");
    }

    @Test
    void audit_findsSharedCertificatesConflictingClientIdsWeakKeysAndDisabledExport() {
        String shared = "c3".repeat(32);
        device("a-1", "acme-cam", SimulatedFleet.insecure("1.0", "same-client", shared));
        device("a-2", "old-cam", SimulatedFleet.insecure("1.0", "same-client", shared));
        device("a-3", "acme-cam", SimulatedFleet.secure("1.1", "a-3"));
        registry.devices().update(DeviceId.parse("a-3"), dev.holdfast.registry.DeviceUpdate.builder()
                .authentication(new Authentication.Certificate(List.of(shared))).build(), dev.holdfast.registry.Precondition.none(), "t");
        FleetAudit.Report r = posture.audit(List.of());
        assertThat(r.devicesAudited()).isEqualTo(3);
        assertThat(r.findings().stream().map(FleetAudit.Finding::checkId).sorted()).containsExactly(
                "HF-AUDIT-CONFLICTING-CLIENT-ID", "HF-AUDIT-EVENT-EXPORT", "HF-AUDIT-SHARED-CERT", "HF-CRED-EXPIRING", "HF-CRED-WEAK-KEY",
                "HF-CRED-WEAK-SIGNATURE", "HF-EOS-PAST");
        assertThat(r.find("HF-AUDIT-SHARED-CERT").orElseThrow().subjects()).containsExactly("a-1", "a-2", "a-3");
        assertThat(r.find("HF-AUDIT-CONFLICTING-CLIENT-ID").orElseThrow().subjects()).containsExactly("a-1", "a-2");
        assertThat(r.find("HF-EOS-PAST").orElseThrow().subjects()).containsExactly("a-2");
    }
}
