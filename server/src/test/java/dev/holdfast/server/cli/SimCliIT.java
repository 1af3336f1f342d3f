package dev.holdfast.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.server.HoldfastServer;
import dev.holdfast.server.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code holdfast sim} as typed: usage errors exit 2 with one line; against a real server whose
 * provisioning service is not there yet, every device fails provisioning, the command says so and
 * exits 1, and the generated manufacturer CA is saved with its key readable by the owner only.
 */
class SimCliIT {
    @TempDir
    Path dir;

    @Test
    void usageErrors_exitTwoWithOneLine() throws Exception {
        CliRun noBundle = CliRun.of("sim", "--trust-bundle", dir.resolve("missing.pem").toString());
        assertThat(noBundle.exit()).isEqualTo(2);
        assertThat(noBundle.err()).contains("trust bundle").contains("missing.pem");

        Path bundle = dir.resolve("bundle.pem");
        Files.writeString(bundle, dev.holdfast.device.Certificates.toPem(java.util.List.of(
                dev.holdfast.testing.TestCertificates.newRoot("R").certificate())));
        CliRun badMode = CliRun.of("sim", "--trust-bundle", bundle.toString(), "--state-dir", dir.resolve("s").toString(), "--provisioning", "pigeon");
        assertThat(badMode.exit()).isEqualTo(2);
        assertThat(badMode.err()).contains("--provisioning: 'pigeon'");
        CliRun noHub = CliRun.of("sim", "--trust-bundle", bundle.toString(), "--state-dir", dir.resolve("s").toString(), "--provisioning", "none");
        assertThat(noHub.exit()).isEqualTo(2);
        assertThat(noHub.err()).contains("--hub");
        CliRun badDuration = CliRun.of("sim", "--trust-bundle", bundle.toString(), "--state-dir", dir.resolve("s").toString(), "--duration", "soon");
        assertThat(badDuration.exit()).isEqualTo(2);
        assertThat(badDuration.err()).contains("--duration: 'soon'");
    }

    @Test
    void againstAServerWithoutProvisioning_reportsEveryDeviceFailed_andSavesTheManufacturerCa() throws Exception {
        try (HoldfastServer server = TestServers.start(dir.resolve("data"))) {
            Path state = dir.resolve("sim-state");
            CliRun run = CliRun.of("sim", "--devices", "3", "--server", "https://127.0.0.1:" + server.httpsPort(), "--data-dir",
                    dir.resolve("data").toString(), "--state-dir", state.toString(), "--duration", "1s", "--id-scope", "scope-1");
            assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(1);
            assertThat(run.out()).contains("generated manufacturer CA").contains("3 planned, 0 provisioned (3 failed), 0 connected");
            assertThat(Files.getPosixFilePermissions(state.resolve("manufacturer-ca.key")))
                    .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
            // A second run loads the same CA instead of making another.
            String ca = Files.readString(state.resolve("manufacturer-ca.pem"));
            CliRun again = CliRun.of("sim", "--devices", "1", "--server", "https://127.0.0.1:" + server.httpsPort(), "--data-dir",
                    dir.resolve("data").toString(), "--state-dir", state.toString(), "--duration", "1s");
            assertThat(again.out()).doesNotContain("generated manufacturer CA");
            assertThat(Files.readString(state.resolve("manufacturer-ca.pem"))).isEqualTo(ca);
        }
    }
}
