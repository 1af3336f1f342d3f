package dev.holdfast.device.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.holdfast.device.Certificates;
import dev.holdfast.device.DeviceIdentity;
import dev.holdfast.device.DeviceKey;
import dev.holdfast.device.DeviceRuntime;
import dev.holdfast.device.Mosquitto;
import dev.holdfast.device.SoftwareKeys;
import dev.holdfast.device.TestCa;
import dev.holdfast.device.internal.MqttConnection;
import dev.holdfast.testing.TestCertificates;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provisioning clients against stand-ins for the Holdfast provisioning service (issue 4 builds
 * the real one in parallel): over MQTT, a real Mosquitto broker with a test-side client answering
 * on the {@code $dps/registrations/...} topics; over HTTPS, a JDK HttpsServer requiring the IDevID
 * as client certificate. Both sides follow docs/PROTOCOLS.md, including the {@code csr} extension
 * answered with {@code issuedCertificateChain}.
 */
class ProvisioningClientIT {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    final TestCa manufacturer = new TestCa("Manufacturer CA");
    final TestCa operational = new TestCa("Holdfast Devices CA");

    /** What the service does with a register body: the assigned state with a chain for the CSR's key. */
    byte[] assigned(String operationId, byte[] registerBody) throws Exception {
        JsonNode req = JSON.readTree(registerBody);
        String registrationId = req.path("registrationId").asText();
        PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequest(Base64.getDecoder().decode(req.path("csr").asText()));
        X509Certificate leaf = operational.issue(new JcaPKCS10CertificationRequest(csr).getPublicKey(), registrationId, Duration.ofDays(30));
        var state = JSON.createObjectNode().put("registrationId", registrationId).put("assignedHub", "hub.example.test")
                .put("deviceId", registrationId).put("status", "assigned").put("substatus", "initialAssignment").put("etag", "\"1\"");
        state.set("payload", req.path("payload"));
        state.putArray("issuedCertificateChain").add(Base64.getEncoder().encodeToString(leaf.getEncoded()))
                .add(Base64.getEncoder().encodeToString(operational.certificate().getEncoded()));
        var op = JSON.createObjectNode().put("operationId", operationId).put("status", "assigned");
        op.set("registrationState", state);
        return JSON.writeValueAsBytes(op);
    }

    @Test
    void overMqtt_registersPollsAfterRetryAfter_andBuildsTheOperationalIdentity() throws Exception {
        TestCertificates.Root root = TestCertificates.newRoot("Service Root");
        TestCertificates.Issued svc = root.issueClient("dps-service");
        DeviceIdentity serviceIdentity = new DeviceIdentity(SoftwareKeys.of(new KeyPair(svc.certificate().getPublicKey(), svc.key())), svc.chain());
        List<String> seen = new CopyOnWriteArrayList<>();
        byte[][] registerBody = new byte[1][];
        try (Mosquitto broker = Mosquitto.start(dir.resolve("broker"), root, List.of(manufacturer.certificate()));
             DeviceRuntime runtime = DeviceRuntime.create()) {
            MqttConnection service = MqttConnection.connect(runtime.eventLoops(), new MqttConnection.Options("127.0.0.1", broker.port(), "127.0.0.1",
                    serviceIdentity.sslContext(List.of(root.certificate())), "dps-service", null, true, Duration.ofSeconds(30), Duration.ofSeconds(10), 65536),
                    new MqttConnection.Listener() {
                        @Override
                        public void onPublish(MqttConnection s, String topic, byte[] payload, int qos, int packetId) {
                            if (qos == 1) s.puback(packetId);
                            seen.add(topic);
                            String rid = topic.replaceAll(".*\\$rid=([0-9]+).*", "$1");
                            try {
                                if (topic.startsWith("$dps/registrations/PUT/iotdps-register/")) {
                                    registerBody[0] = payload;
                                    s.publish("$dps/registrations/res/202/?$rid=" + rid + "&retry-after=1",
                                            "{\"operationId\":\"op-7\",\"status\":\"assigning\"}".getBytes(StandardCharsets.UTF_8), 1);
                                } else if (topic.startsWith("$dps/registrations/GET/iotdps-get-operationstatus/")) {
                                    s.publish("$dps/registrations/res/200/?$rid=" + rid, assigned("op-7", registerBody[0]), 1);
                                }
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        }

                        @Override
                        public void onClosed(MqttConnection source, Throwable cause) {
                        }
                    }).get(15, TimeUnit.SECONDS);
            service.subscribe(List.of("$dps/registrations/PUT/#", "$dps/registrations/GET/#")).get(10, TimeUnit.SECONDS);

            DeviceIdentity idevid = manufacturer.identity("meter-0042");
            DeviceKey opKey = SoftwareKeys.generateP256();
            var client = new MqttProvisioningClient(runtime, "127.0.0.1", broker.port(), null, List.of(root.certificate()),
                    Duration.ofSeconds(30), Duration.ofMillis(100));
            long start = System.nanoTime();
            ProvisioningClient.Provisioned p = client.provision("0ne00000001", idevid, opKey, Optional.of("{\"site\":\"north\"}"));
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;

            assertThat(p.hubHost()).isEqualTo("hub.example.test");
            assertThat(p.deviceId()).isEqualTo("meter-0042");
            assertThat(p.operational().leaf().getPublicKey()).isEqualTo(opKey.publicKey());
            assertThat(p.operational().chain()).hasSize(2);
            assertThat(p.registration().payloadJson()).contains("{\"site\":\"north\"}");
            assertThat(elapsedMs).as("waited for retry-after=1").isGreaterThanOrEqualTo(900);
            assertThat(seen).containsExactly("$dps/registrations/PUT/iotdps-register/?$rid=1",
                    "$dps/registrations/GET/iotdps-get-operationstatus/?$rid=2&operationId=op-7");
            JsonNode body = JSON.readTree(registerBody[0]);
            assertThat(body.path("registrationId").asText()).isEqualTo("meter-0042");
            assertThat(new PKCS10CertificationRequest(Base64.getDecoder().decode(body.path("csr").asText())).getSubject()).hasToString("CN=meter-0042");
            service.close();
        }
    }

    @Test
    void overMqtt_aRefusalOrAFailedRegistration_isAProvisioningExceptionWithTheServiceStatus() throws Exception {
        TestCertificates.Root root = TestCertificates.newRoot("Service Root");
        TestCertificates.Issued svc = root.issueClient("dps-service");
        DeviceIdentity serviceIdentity = new DeviceIdentity(SoftwareKeys.of(new KeyPair(svc.certificate().getPublicKey(), svc.key())), svc.chain());
        try (Mosquitto broker = Mosquitto.start(dir.resolve("broker"), root, List.of(manufacturer.certificate()));
             DeviceRuntime runtime = DeviceRuntime.create()) {
            MqttConnection service = MqttConnection.connect(runtime.eventLoops(), new MqttConnection.Options("127.0.0.1", broker.port(), "127.0.0.1",
                    serviceIdentity.sslContext(List.of(root.certificate())), "dps-service", null, true, Duration.ofSeconds(30), Duration.ofSeconds(10), 65536),
                    new MqttConnection.Listener() {
                        @Override
                        public void onPublish(MqttConnection s, String topic, byte[] payload, int qos, int packetId) {
                            if (qos == 1) s.puback(packetId);
                            String rid = topic.replaceAll(".*\\$rid=([0-9]+).*", "$1");
                            String regId = payload.length == 0 ? "" : new String(payload, StandardCharsets.UTF_8);
                            if (regId.contains("\"disabled-1\"")) {
                                s.publish("$dps/registrations/res/401/?$rid=" + rid,
                                        "{\"errorCode\":401002,\"trackingId\":\"t\",\"message\":\"enrollment disabled\"}".getBytes(StandardCharsets.UTF_8), 1);
                            } else {
                                s.publish("$dps/registrations/res/200/?$rid=" + rid, ("{\"operationId\":\"op-9\",\"status\":\"failed\","
                                        + "\"registrationState\":{\"registrationId\":\"failing-1\",\"status\":\"failed\",\"substatus\":\"initialAssignment\"}}")
                                        .getBytes(StandardCharsets.UTF_8), 1);
                            }
                        }

                        @Override
                        public void onClosed(MqttConnection source, Throwable cause) {
                        }
                    }).get(15, TimeUnit.SECONDS);
            service.subscribe(List.of("$dps/registrations/PUT/#")).get(10, TimeUnit.SECONDS);
            var client = new MqttProvisioningClient(runtime, "127.0.0.1", broker.port(), null, List.of(root.certificate()),
                    Duration.ofSeconds(20), Duration.ofMillis(100));
            assertThatThrownBy(() -> client.provision("scope", manufacturer.identity("disabled-1"), SoftwareKeys.generateP256(), Optional.empty()))
                    .isInstanceOfSatisfying(ProvisioningException.class, e -> {
                        assertThat(e.status()).isEqualTo(401);
                        assertThat(e.errorCode()).isEqualTo(401002);
                        assertThat(e.getMessage()).contains("enrollment disabled");
                    });
            assertThatThrownBy(() -> client.provision("scope", manufacturer.identity("failing-1"), SoftwareKeys.generateP256(), Optional.empty()))
                    .isInstanceOf(ProvisioningException.class).hasMessageContaining("ended failed");
            service.close();
        }
    }

    @Test
    void overHttps_presentsTheIdevid_honoursRetryAfter_andReportsRefusals() throws Exception {
        TestCertificates.Root root = TestCertificates.newRoot("Service Root");
        TestCertificates.Issued serverCert = root.issueServer("127.0.0.1");
        java.security.KeyStore keys = java.security.KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("server", serverCert.key(), new char[0], serverCert.chainArray());
        var kmf = javax.net.ssl.KeyManagerFactory.getInstance("PKIX");
        kmf.init(keys, new char[0]);
        java.security.KeyStore trusted = java.security.KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("manufacturer", manufacturer.certificate());
        var tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        tmf.init(trusted);
        SSLContext serverTls = SSLContext.getInstance("TLS");
        serverTls.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(serverTls) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters p = getSSLContext().getDefaultSSLParameters();
                p.setNeedClientAuth(true);
                params.setSSLParameters(p);
            }
        });
        AtomicInteger polls = new AtomicInteger();
        byte[][] body = new byte[1][];
        List<String> clientNames = new CopyOnWriteArrayList<>();
        server.createContext("/0ne00000001/registrations/", ex -> {
            try (ex) {
                String peer = ((X509Certificate) ((HttpsExchange) ex).getSSLSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
                clientNames.add(peer);
                String path = ex.getRequestURI().getPath();
                byte[] reply;
                int status;
                if (path.endsWith("/meter-9/register") && ex.getRequestMethod().equals("PUT")) {
                    body[0] = ex.getRequestBody().readAllBytes();
                    ex.getResponseHeaders().add("Retry-After", "1");
                    reply = "{\"operationId\":\"op-1\",\"status\":\"assigning\"}".getBytes(StandardCharsets.UTF_8);
                    status = 202;
                } else if (path.endsWith("/meter-9/operations/op-1") && polls.incrementAndGet() < 2) {
                    ex.getResponseHeaders().add("Retry-After", "1");
                    reply = "{\"operationId\":\"op-1\",\"status\":\"assigning\"}".getBytes(StandardCharsets.UTF_8);
                    status = 202;
                } else if (path.endsWith("/meter-9/operations/op-1")) {
                    reply = assigned("op-1", body[0]);
                    status = 200;
                } else {
                    reply = "{\"errorCode\":401002,\"trackingId\":\"t-1\",\"message\":\"enrollment disabled\"}".getBytes(StandardCharsets.UTF_8);
                    status = 401;
                }
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(status, reply.length);
                ex.getResponseBody().write(reply);
            } catch (Exception e) {
                throw new java.io.IOException(e);
            }
        });
        server.start();
        try {
            var client = new HttpsProvisioningClient(URI.create("https://127.0.0.1:" + server.getAddress().getPort()), List.of(root.certificate()),
                    Duration.ofSeconds(30), Duration.ofMillis(100));
            DeviceKey opKey = SoftwareKeys.generateP256();
            long start = System.nanoTime();
            ProvisioningClient.Provisioned p = client.provision("0ne00000001", manufacturer.identity("meter-9"), opKey, Optional.empty());
            assertThat((System.nanoTime() - start) / 1_000_000).as("two Retry-After: 1 waits").isGreaterThanOrEqualTo(1900);
            assertThat(p.deviceId()).isEqualTo("meter-9");
            assertThat(p.operational().leaf().getPublicKey()).isEqualTo(opKey.publicKey());
            assertThat(Certificates.commonName(p.operational().leaf())).isEqualTo("meter-9");
            assertThat(clientNames).allMatch(n -> n.equals("CN=meter-9"));

            assertThatThrownBy(() -> client.provision("0ne00000001", manufacturer.identity("camera-1"), SoftwareKeys.generateP256(), Optional.empty()))
                    .isInstanceOfSatisfying(ProvisioningException.class, e -> {
                        assertThat(e.status()).isEqualTo(401);
                        assertThat(e.errorCode()).isEqualTo(401002);
                        assertThat(e.getMessage()).contains("enrollment disabled");
                    });
            // A device whose IDevID the service does not trust never gets past the handshake.
            assertThatThrownBy(() -> client.provision("0ne00000001", new TestCa("Rogue").identity("meter-9"), SoftwareKeys.generateP256(), Optional.empty()))
                    .isInstanceOfSatisfying(ProvisioningException.class, e -> assertThat(e.status()).isZero());
        } finally {
            server.stop(0);
        }
    }
}
