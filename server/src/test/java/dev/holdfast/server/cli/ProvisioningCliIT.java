package dev.holdfast.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.provisioning.AttestationEvidence;
import dev.holdfast.provisioning.ProvisioningRefusedException;
import dev.holdfast.provisioning.RegistrationService;
import dev.holdfast.server.HoldfastServer;
import dev.holdfast.server.TestServers;
import dev.holdfast.testing.TestCertificates;
import dev.holdfast.testing.TestManufacturerCa;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code holdfast hub ...}, {@code holdfast ca upload-manufacturer|verify-manufacturer} and
 * {@code holdfast enrollment ...} as an operator types them, against a real server; the enrollments
 * they make admit (and, once disabled, refuse) a real registration.
 */
class ProvisioningCliIT {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static List<String> args(List<String> common, String... rest) {
        List<String> all = new ArrayList<>(List.of(rest));
        all.addAll(common);
        return all;
    }

    private static CliRun cli(List<String> args) {
        return CliRun.of(args.toArray(String[]::new));
    }

    @Test
    void linkHubsUploadAndVerifyACaAndManageEnrollments_throughTheCli() throws Exception {
        Path data = dir.resolve("data");
        try (HoldfastServer server = TestServers.start(data)) {
            List<String> common = List.of("--server", "https://127.0.0.1:" + server.httpsPort(), "--data-dir", data.toString());
            CliRun link = cli(args(common, "hub", "link", "hub-eu", "--host", "hub-eu.example.test", "--weight", "2", "--region", "eu"));
            assertThat(link.exit()).as(link.err()).isZero();
            assertThat(cli(args(common, "hub", "link", "hub-us", "--host", "hub-us.example.test")).exit()).isZero();
            assertThat(cli(args(common, "hub", "list")).out()).contains("hub-eu", "hub-eu.example.test", "hub-us");
            CliRun badHub = cli(args(common, "hub", "link", "bad", "--host", "localhost"));
            assertThat(badHub.exit()).isEqualTo(1);
            assertThat(badHub.err()).contains("at least one dot");
            assertThat(cli(args(common, "hub", "unlink", "hub-us")).exit()).isZero();
            assertThat(cli(args(common, "hub", "list")).out()).doesNotContain("hub-us");

            TestManufacturerCa maker = TestManufacturerCa.root("Acme Root");
            Path caPem = TestCertificates.writePem(dir.resolve("acme.pem"), maker.certificate);
            CliRun upload = cli(args(common, "ca", "upload-manufacturer", "acme", "--cert", caPem.toString()));
            assertThat(upload.exit()).as(upload.err()).isZero();
            String code = upload.out().lines().filter(l -> l.startsWith("verification code: ")).findFirst().orElseThrow().substring("verification code: ".length());

            CliRun early = cli(args(common, "enrollment", "group", "create", "meters", "--ca", "acme"));
            assertThat(early.exit()).isEqualTo(1);
            assertThat(early.err()).contains("not verified");

            Path wrong = TestCertificates.writePem(dir.resolve("wrong.pem"), maker.proof("NOT-THE-CODE"));
            assertThat(cli(args(common, "ca", "verify-manufacturer", "acme", "--cert", wrong.toString())).exit()).isEqualTo(1);
            Path proof = TestCertificates.writePem(dir.resolve("proof.pem"), maker.proof(code));
            CliRun verify = cli(args(common, "ca", "verify-manufacturer", "acme", "--cert", proof.toString()));
            assertThat(verify.exit()).as(verify.err()).isZero();
            assertThat(verify.out()).contains("verified manufacturer CA acme");

            CliRun group = cli(args(common, "enrollment", "group", "create", "meters", "--ca", "acme", "--allocation", "static", "--static-hub", "hub-eu",
                    "--initial-twin", "{\"interval\":30}", "--reprovision", "reset", "--validity", "P7D"));
            assertThat(group.exit()).as(group.err()).isZero();
            JsonNode g = JSON.readTree(group.out());
            assertThat(g.path("allocation").path("hub").asText()).isEqualTo("hub-eu");
            assertThat(g.path("reprovisionPolicy").asText()).isEqualTo("reset");
            assertThat(cli(args(common, "enrollment", "group", "list")).out()).contains("meters", "ca acme", "static", "reset");
            assertThat(JSON.readTree(cli(args(common, "enrollment", "group", "show", "meters")).out()).path("initialTwin").path("interval").asInt()).isEqualTo(30);

            RegistrationService dps = server.provisioning().provisioning().registrations();
            String scope = server.provisioning().provisioning().idScope();
            TestManufacturerCa.Device d = maker.device("meter-1");
            byte[] body = "{\"registrationId\":\"meter-1\"}".getBytes(StandardCharsets.UTF_8);
            assertThat(dps.register(scope, "meter-1", body, new AttestationEvidence.X509(d.chain()), "127.0.0.1").state().orElseThrow().assignedHub())
                    .isEqualTo("hub-eu.example.test");

            assertThat(cli(args(common, "enrollment", "group", "disable", "meters")).out()).contains("disabled enrollment meters");
            assertThatThrownBy(() -> dps.register(scope, "meter-2", "{}".getBytes(), new AttestationEvidence.X509(maker.device("meter-2").chain()), "127.0.0.1"))
                    .isInstanceOf(ProvisioningRefusedException.class).hasMessageContaining("disabled");

            String thumb = dev.holdfast.provisioning.internal.X509Attestor.thumbprint(d.leaf());
            CliRun ind = cli(args(common, "enrollment", "individual", "create", "special-1", "--thumbprint", thumb, "--device-id", "pump-7"));
            assertThat(ind.exit()).as(ind.err()).isZero();
            assertThat(cli(args(common, "enrollment", "individual", "list")).out()).contains("special-1");
            assertThat(cli(args(common, "enrollment", "individual", "delete", "special-1")).exit()).isZero();
            CliRun gone = cli(args(common, "enrollment", "individual", "show", "special-1"));
            assertThat(gone.exit()).isEqualTo(1);
            assertThat(gone.err()).contains("404");
            assertThat(cli(args(common, "enrollment", "group", "delete", "meters")).exit()).isZero();
            assertThat(Files.exists(data)).isTrue();
        }
    }
}
