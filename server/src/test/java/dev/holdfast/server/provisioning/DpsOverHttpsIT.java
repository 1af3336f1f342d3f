package dev.holdfast.server.provisioning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClient;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientRegistrationResult;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientStatus;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientTransportProtocol;
import dev.holdfast.pki.TlsPolicy;
import dev.holdfast.provisioning.AllocationPolicy;
import dev.holdfast.provisioning.Enrollment;
import dev.holdfast.provisioning.EnrollmentAttestation;
import dev.holdfast.provisioning.EnrollmentSettings;
import dev.holdfast.provisioning.LinkedHub;
import dev.holdfast.provisioning.ManufacturerCa;
import dev.holdfast.provisioning.Provisioning;
import dev.holdfast.provisioning.ReprovisionPolicy;
import dev.holdfast.registry.Device;
import dev.holdfast.registry.DeviceId;
import dev.holdfast.registry.JsonDocument;
import dev.holdfast.registry.LifecycleState;
import dev.holdfast.server.HoldfastServer;
import dev.holdfast.server.TestServers;
import dev.holdfast.testing.ExternalTool;
import dev.holdfast.testing.ProcessRun;
import dev.holdfast.testing.TestCertificates;
import dev.holdfast.testing.TestManufacturerCa;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DPS over HTTPS against a real server: the official Azure IoT provisioning device client (X.509
 * provider) registers with its IDevID and is assigned a hub and a device id; our own client uses the
 * CSR extension and the chain it gets back passes {@code openssl verify}; refusals come back in Azure's
 * error shape.
 */
class DpsOverHttpsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dir;
    static HoldfastServer server;
    static Provisioning provisioning;
    static TestManufacturerCa maker;
    static List<X509Certificate> trust;

    @BeforeAll
    static void start() {
        server = TestServers.start(dir.resolve("data"));
        provisioning = server.provisioning().provisioning();
        maker = TestManufacturerCa.root("Acme Devices Root CA");
        ManufacturerCa up = provisioning.uploadManufacturerCa("acme", der(maker.certificate), Optional.empty(), "test");
        provisioning.verifyManufacturerCa("acme", der(maker.proof(up.verificationCode())), "test");
        provisioning.linkHub(new LinkedHub("hub-a", "hub-a.example.test", 1, "eu", true), "test");
        provisioning.linkHub(new LinkedHub("hub-b", "hub-b.example.test", 1, "eu", true), "test");
        provisioning.createGroup(new Enrollment.Group("meters", new EnrollmentAttestation.X509Ca("acme"),
                new EnrollmentSettings(true, JsonDocument.parse("{\"interval\":60}"), JsonDocument.parse("{\"line\":\"A\"}"), Optional.empty(), false,
                        new AllocationPolicy.Hashed(), List.of(), ReprovisionPolicy.MIGRATE, null, Optional.of(Duration.ofDays(3))),
                Instant.now(), Instant.now(), 1), "test");
        trust = server.pki().ca().trustAnchors();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Test
    void azureSdkOverHttps_isAssignedAHubAndADeviceId() throws Exception {
        TestManufacturerCa.Device d = maker.device("azure-sdk-meter-1");
        ProvisioningDeviceClient client = ProvisioningDeviceClient.create("127.0.0.1:" + server.httpsPort(), provisioning.idScope(),
                ProvisioningDeviceClientTransportProtocol.HTTPS, new AzureX509Provider(d, trust));
        try {
            ProvisioningDeviceClientRegistrationResult r = client.registerDeviceSync();
            assertThat(r.getProvisioningDeviceClientStatus()).isEqualTo(ProvisioningDeviceClientStatus.PROVISIONING_DEVICE_STATUS_ASSIGNED);
            assertThat(r.getDeviceId()).isEqualTo("azure-sdk-meter-1");
            assertThat(r.getIothubUri()).isIn("hub-a.example.test", "hub-b.example.test");
            Device dev = server.registry().registry().devices().get(new DeviceId("azure-sdk-meter-1"));
            assertThat(dev.hub()).contains(r.getIothubUri());
            assertThat(dev.lifecycle()).isEqualTo(LifecycleState.PROVISIONED);
            assertThat(dev.twin().desired().get("interval").asInt()).isEqualTo(60);
        } finally {
            client.close();
        }
    }

    private HttpClient client(TestManufacturerCa.Device d) {
        SSLContext ctx = TlsPolicy.sslContext(d.keys().getPrivate(), d.chain().toArray(X509Certificate[]::new), trust);
        return HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(10)).build();
    }

    private URI uri(String path) {
        return URI.create("https://127.0.0.1:" + server.httpsPort() + "/" + provisioning.idScope() + path + "?api-version=2021-06-01");
    }

    @Test
    void ourClientWithCsr_getsAChainThatOpensslVerifies() throws Exception {
        String openssl = ExternalTool.require("openssl").toString();
        TestManufacturerCa.Device d = maker.device("csr-meter-1");
        String csr = Base64.getEncoder().encodeToString(TestManufacturerCa.csr("csr-meter-1", TestManufacturerCa.newKeyPair()));
        HttpClient http = client(d);
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(uri("/registrations/csr-meter-1/register"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"registrationId\":\"csr-meter-1\",\"csr\":\"" + csr + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(202);
        assertThat(put.headers().firstValue("Retry-After")).contains("2");
        JsonNode op = JSON.readTree(put.body());
        assertThat(op.get("status").asText()).isEqualTo("assigning");

        HttpResponse<String> get = http.send(HttpRequest.newBuilder(uri("/registrations/csr-meter-1/operations/" + op.get("operationId").asText())).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).as(get.body()).isEqualTo(200);
        JsonNode state = JSON.readTree(get.body()).get("registrationState");
        assertThat(state.get("status").asText()).isEqualTo("assigned");
        assertThat(state.get("deviceId").asText()).isEqualTo("csr-meter-1");
        List<String> chain = new ArrayList<>();
        state.get("issuedCertificateChain").forEach(c -> chain.add(c.asText()));
        assertThat(chain.size()).isGreaterThanOrEqualTo(2);

        Path work = Files.createDirectories(dir.resolve("openssl"));
        Files.writeString(work.resolve("leaf.pem"), pem(chain.get(0)));
        StringBuilder intermediates = new StringBuilder();
        for (int i = 1; i < chain.size() - 1; i++) intermediates.append(pem(chain.get(i)));
        Files.writeString(work.resolve("intermediates.pem"), intermediates.length() == 0 ? pem(chain.get(chain.size() - 1)) : intermediates.toString());
        Files.writeString(work.resolve("root.pem"), pem(chain.get(chain.size() - 1)));
        ProcessRun verify = ProcessRun.run(work, List.of(openssl, "verify", "-CAfile", "root.pem", "-untrusted", "intermediates.pem",
                "-purpose", "sslclient", "leaf.pem"));
        assertThat(verify.exitCode()).as(verify.output()).isZero();
        assertThat(verify.stdout()).contains("leaf.pem: OK");
        ProcessRun subject = ProcessRun.run(work, List.of(openssl, "x509", "-in", "leaf.pem", "-noout", "-subject")).assertSuccess("x509 -subject");
        assertThat(subject.stdout()).contains("csr-meter-1");
    }

    @Test
    void refusals_comeBackInAzureErrorShape() throws Exception {
        TestManufacturerCa.Device d = maker.device("bad-body-1");
        HttpResponse<String> bad = client(d).send(HttpRequest.newBuilder(uri("/registrations/bad-body-1/register"))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"registrationId\":")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        JsonNode err = JSON.readTree(bad.body());
        assertThat(err.get("errorCode").asInt()).isEqualTo(400004);
        assertThat(err.get("trackingId").asText()).isNotBlank();
        assertThat(err.get("message").asText()).contains("not JSON");

        HttpResponse<String> mismatch = client(d).send(HttpRequest.newBuilder(uri("/registrations/someone-else/register"))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"registrationId\":\"someone-else\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(mismatch.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(mismatch.body()).get("message").asText()).contains("does not match the registration id");

        // A maker whose CA was uploaded but never verified: the handshake passes, the refusal explains.
        TestManufacturerCa unverified = TestManufacturerCa.root("Unverified Maker");
        provisioning.uploadManufacturerCa("unverified", der(unverified.certificate), Optional.empty(), "test");
        TestManufacturerCa.Device u = unverified.device("u-1");
        HttpResponse<String> unv = client(u).send(HttpRequest.newBuilder(uri("/registrations/u-1/register"))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"registrationId\":\"u-1\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unv.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(unv.body()).get("message").asText()).contains("has not been verified");
    }

    @Test
    void estEnrollment_isGovernedByTheSameEnrollments() throws Exception {
        TestManufacturerCa estMaker = TestManufacturerCa.root("EST Maker Root");
        ManufacturerCa up = provisioning.uploadManufacturerCa("est-maker", der(estMaker.certificate), Optional.empty(), "test");
        provisioning.verifyManufacturerCa("est-maker", der(estMaker.proof(up.verificationCode())), "test");
        provisioning.createGroup(new Enrollment.Group("est-group", new EnrollmentAttestation.X509Ca("est-maker"), EnrollmentSettings.defaults(),
                Instant.now(), Instant.now(), 1), "test");
        TestManufacturerCa.Device d = estMaker.device("est-dev-1");
        HttpResponse<String> ok = estEnroll(d, "est-dev-1");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(server.pki().ca().search(dev.holdfast.pki.CertificateFilter.byDevice("est-dev-1"))).hasSize(1);

        provisioning.setEnabled("group", "est-group", false, "test");
        HttpResponse<String> refused = estEnroll(estMaker.device("est-dev-2"), "est-dev-2");
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).contains("est-group").contains("disabled");
    }

    private HttpResponse<String> estEnroll(TestManufacturerCa.Device d, String cn) throws Exception {
        String csr = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(TestManufacturerCa.csr(cn, TestManufacturerCa.newKeyPair()));
        return client(d).send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.httpsPort() + "/.well-known/est/simpleenroll"))
                .header("Content-Type", "application/pkcs10").header("Content-Transfer-Encoding", "base64")
                .POST(HttpRequest.BodyPublishers.ofString(csr)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String pem(String b64) {
        return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(Base64.getDecoder().decode(b64))
                + "\n-----END CERTIFICATE-----\n";
    }

    static byte[] der(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
