package dev.holdfast.posture;

import dev.holdfast.registry.ConnectionState;
import dev.holdfast.registry.DeviceId;
import dev.holdfast.registry.NewDevice;
import dev.holdfast.registry.Registry;
import dev.holdfast.testing.FakeClock;
import dev.holdfast.testing.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** Real X.509 certificates (BouncyCastle) through the PKI credential path: key facts, revoked-in-use, CA expiry in the audit. */
class PkiCredentialTest {
    @TempDir
    Path tmp;

    @Test
    void revokedCertificateOfAConnectedDevice_isFlagged_andShortLivedCaIsExpiring() {
        TestCertificates.Root root = TestCertificates.newRoot("Test Devices CA");
        TestCertificates.Issued leaf = root.issueClient("cam-9");
        DeviceCredential good = DeviceCredential.of(leaf.certificate(), Optional.empty(), "pki");
        assertThat(good.keyAlgorithm()).isEqualTo("EC");
        assertThat(good.keySize()).isEqualTo(256);
        assertThat(good.signatureAlgorithm()).isEqualTo("SHA256withECDSA");
        AtomicReference<DeviceCredential> issued = new AtomicReference<>(good);
        FakeClock clock = FakeClock.startingNow();
        try (PostureFixture f = new PostureFixture(tmp)) {
            Registry registry = Registry.open(f.db, f.events::add, clock, tmp.resolve("reg")).start();
            try (Posture posture = Posture.open(f.db, registry, f.events::add, clock, PostureSettings.DEFAULTS,
                    dev.holdfast.posture.baseline.RulePack.defaultPack(), d -> List.of(issued.get()))) {
                DeviceId id = DeviceId.parse("cam-9");
                registry.devices().create(NewDevice.builder(id).reported(SimulatedFleet.secure("1.0", "cam-9")).build(), "t");
                registry.devices().recordConnection(id, ConnectionState.CONNECTED, clock.instant());
                assertThat(posture.evaluate(id).checks().stream().filter(CheckResult::failed).map(CheckResult::checkId))
                        .containsExactly("HF-CRED-EXPIRING"); // a one-day test certificate is inside the 30-day window
                issued.set(DeviceCredential.of(leaf.certificate(), Optional.of(clock.instant().minusSeconds(60)), "pki"));
                DevicePosture p = posture.evaluate(id);
                assertThat(p.checks().stream().filter(CheckResult::failed).map(CheckResult::checkId)).contains("HF-CRED-REVOKED-IN-USE");
                assertThat(p.reasons().get(0)).startsWith("HF-CRED-REVOKED-IN-USE");
                FleetAudit.Report audit = posture.audit(List.of(root.certificate()));
                assertThat(audit.find("HF-AUDIT-CA-EXPIRING")).get().satisfies(x -> assertThat(x.subjects().get(0)).contains("CN=Test Devices CA"));
                assertThat(audit.find("HF-CRED-REVOKED-IN-USE")).get().satisfies(x -> assertThat(x.subjects()).containsExactly("cam-9"));
                assertThat(audit.find("HF-AUDIT-CA-WEAK-KEY")).isEmpty();
            } finally {
                registry.close();
            }
        }
    }
}
