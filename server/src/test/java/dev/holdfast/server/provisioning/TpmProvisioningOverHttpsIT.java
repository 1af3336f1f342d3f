package dev.holdfast.server.provisioning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.events.EventQuery;
import dev.holdfast.events.StoredEvent;
import dev.holdfast.pki.Bytes;
import dev.holdfast.pki.TlsPolicy;
import dev.holdfast.provisioning.AllocationPolicy;
import dev.holdfast.provisioning.Enrollment;
import dev.holdfast.provisioning.EnrollmentAttestation;
import dev.holdfast.provisioning.EnrollmentSettings;
import dev.holdfast.provisioning.LinkedHub;
import dev.holdfast.provisioning.Provisioning;
import dev.holdfast.provisioning.ReprovisionPolicy;
import dev.holdfast.provisioning.tpm.TpmHash;
import dev.holdfast.provisioning.tpm.TpmStructures;
import dev.holdfast.registry.Device;
import dev.holdfast.registry.DeviceId;
import dev.holdfast.registry.JsonDocument;
import dev.holdfast.registry.LifecycleState;
import dev.holdfast.server.HoldfastServer;
import dev.holdfast.server.TestServers;
import dev.holdfast.testing.ExternalTool;
import dev.holdfast.testing.ProcessRun;
import dev.holdfast.server.config.Settings;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Holdfast's TPM-bound X.509 flow end to end over HTTPS (docs/provisioning-tpm.md): a software TPM
 * ({@code swtpm}) driven by the reference device script ({@code provisioning/src/test/resources/tpm/device.sh},
 * tpm2-tools) registers against a real server, answers the credential challenge, and ends with an
 * operational certificate whose public key is its TPM key. Refusals (wrong secret, replayed
 * activation, unknown EK, disabled enrollment) each come back as a clear error with an event.
 */
class TpmProvisioningOverHttpsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY_HANDLE = "0x81000003";
    @TempDir
    static Path dir;
    static HoldfastServer server;
    static Provisioning provisioning;
    static HttpClient http;
    static Manufacturer maker;

    @BeforeAll
    static void start() throws Exception {
        // provisioning.tpm.ekRootsDirectory: one test TPM manufacturer root (no real manufacturer signs swtpm EKs).
        maker = new Manufacturer("CN=Holdfast Test TPM Manufacturer Root");
        Path roots = Files.createDirectories(dir.resolve("ek-roots"));
        Files.writeString(roots.resolve("test-maker.pem"), pem("CERTIFICATE", Base64.getEncoder().encodeToString(maker.root.getEncoded())));
        server = TestServers.start(dir.resolve("data"), TestServers.loopbackConfig(TestServers.freePort())
                .with(Settings.PROVISIONING_TPM_EK_ROOTS_DIRECTORY, roots));
        provisioning = server.provisioning().provisioning();
        provisioning.linkHub(new LinkedHub("hub-t", "hub-t.example.test", 1, "eu", true), "test");
        // The device has no client certificate: it trusts the server and proves itself with its TPM.
        http = HttpClient.newBuilder().sslContext(TlsPolicy.clientContext(server.pki().ca().trustAnchors()))
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Test
    void tpmDevice_endsWithAnOperationalCertificateForItsTpmKey_andCannotReplayItsActivation() throws Exception {
        try (Swtpm tpm = Swtpm.start(dir.resolve("tpm-ok"))) {
            tpm.device("enroll", "rsa", "ecc").assertSuccess("device.sh enroll");
            String regId = enroll(tpm, true);

            Reply challenge = put(regId, firstBody(tpm, regId));
            assertThat(challenge.status()).as(challenge.body()).isEqualTo(401);
            JsonNode c = challenge.json();
            assertThat(c.get("errorCode").asInt()).isEqualTo(401002);
            assertThat(c.get("challengeId").asText()).matches("[0-9a-f]{32}");
            assertThat(Base64.getDecoder().decode(c.get("nonce").asText())).hasSize(32);
            assertThat(events("provisioning.tpm.challenged", regId, null)).isEqualTo(1);

            Answer answer = answer(tpm, regId, c);
            Reply done = put(regId, answer.body().toString());
            assertThat(done.status()).as(done.body()).isEqualTo(200);
            JsonNode op = done.json();
            assertThat(op.get("status").asText()).isEqualTo("assigned");
            JsonNode state = op.get("registrationState");
            assertThat(state.get("assignedHub").asText()).isEqualTo("hub-t.example.test");
            assertThat(state.get("deviceId").asText()).isEqualTo(regId);
            List<String> chain = new ArrayList<>();
            state.get("issuedCertificateChain").forEach(n -> chain.add(n.asText()));
            assertThat(chain).hasSizeGreaterThanOrEqualTo(2);

            // openssl: the chain verifies to our root, and the certificate's key is the TPM key.
            String openssl = ExternalTool.require("openssl").toString();
            Path work = Files.createDirectories(dir.resolve("openssl"));
            Files.writeString(work.resolve("leaf.pem"), pem("CERTIFICATE", chain.get(0)));
            StringBuilder untrusted = new StringBuilder();
            for (int i = 1; i < chain.size(); i++) untrusted.append(pem("CERTIFICATE", chain.get(i)));
            Files.writeString(work.resolve("chain.pem"), untrusted.toString());
            Files.writeString(work.resolve("root.pem"), pem("CERTIFICATE", chain.get(chain.size() - 1)));
            ProcessRun verify = ProcessRun.run(work, List.of(openssl, "verify", "-CAfile", "root.pem", "-untrusted", "chain.pem", "leaf.pem"));
            assertThat(verify.exitCode()).as(verify.output()).isZero();
            ProcessRun certKey = ProcessRun.run(work, List.of(openssl, "x509", "-in", "leaf.pem", "-noout", "-pubkey")).assertSuccess("x509 -pubkey");
            Files.write(work.resolve("tpmkey.der"), TpmStructures.parsePublic(answer.keyPublic()).publicKey().getEncoded());
            ProcessRun tpmKey = ProcessRun.run(work, List.of(openssl, "pkey", "-pubin", "-inform", "DER", "-in", "tpmkey.der")).assertSuccess("pkey");
            assertThat(certKey.stdout().strip()).isEqualTo(tpmKey.stdout().strip());
            ProcessRun subject = ProcessRun.run(work, List.of(openssl, "x509", "-in", "leaf.pem", "-noout", "-subject")).assertSuccess("x509 -subject");
            assertThat(subject.stdout()).contains(regId);

            Device device = server.registry().registry().devices().get(new DeviceId(regId));
            assertThat(device.hub()).contains("hub-t.example.test");
            assertThat(device.lifecycle()).isEqualTo(LifecycleState.PROVISIONED);
            assertThat(device.twin().desired().get("interval").asInt()).isEqualTo(30);
            assertThat(events("provisioning.registration.assigned", regId, null)).isEqualTo(1);
            Map<String, String> assigned = server.events().read(EventQuery.all(10_000).withActivityPrefix("provisioning.registration.assigned")).stream()
                    .map(e -> e.event().details()).filter(d -> regId.equals(d.get("registrationId"))).findFirst().orElseThrow();
            assertThat(assigned).containsEntry("attestation", "tpm").containsEntry("tpmChallengeId", c.get("challengeId").asText())
                    .containsEntry("tpmKeyName", HexFormat.of().formatHex(TpmStructures.parsePublic(answer.keyPublic()).name().toArray()));

            // The same activation again: the challenge was consumed by the single-row DELETE.
            Reply replay = put(regId, answer.body().toString());
            assertThat(replay.status()).as(replay.body()).isEqualTo(401);
            assertThat(replay.json().get("info").get("code").asText()).isEqualTo("tpm-challenge-unknown");
            assertThat(replay.json().get("message").asText()).contains("replayed");
            assertThat(events("provisioning.registration.refused", regId, "tpm-challenge-unknown")).isEqualTo(1);
            assertThat(events("provisioning.registration.assigned", regId, null)).isEqualTo(1);
        }
    }

    @Test
    void wrongActivatedSecret_isRefusedAndDoesNotBurnTheChallenge() throws Exception {
        try (Swtpm tpm = Swtpm.start(dir.resolve("tpm-wrong"))) {
            tpm.device("enroll", "rsa", "ecc").assertSuccess("device.sh enroll");
            String regId = enroll(tpm, true);
            Reply challenge = put(regId, firstBody(tpm, regId));
            assertThat(challenge.status()).as(challenge.body()).isEqualTo(401);
            Answer answer = answer(tpm, regId, challenge.json());

            ObjectNode wrong = answer.body().deepCopy();
            byte[] secret = Base64.getDecoder().decode(wrong.get("tpm").get("activatedSecret").asText());
            secret[0] ^= 1;
            ((ObjectNode) wrong.get("tpm")).put("activatedSecret", Base64.getEncoder().encodeToString(secret));
            Reply refused = put(regId, wrong.toString());
            assertThat(refused.status()).as(refused.body()).isEqualTo(401);
            assertThat(refused.json().get("info").get("code").asText()).isEqualTo("tpm-wrong-secret");
            assertThat(refused.json().get("message").asText()).contains("activated secret does not match");
            assertThat(events("provisioning.registration.refused", regId, "tpm-wrong-secret")).isEqualTo(1);
            assertThat(server.registry().registry().devices().find(new DeviceId(regId))).isEmpty();

            Reply right = put(regId, answer.body().toString());
            assertThat(right.status()).as(right.body()).isEqualTo(200);
            assertThat(right.json().get("status").asText()).isEqualTo("assigned");
        }
    }

    @Test
    void unknownEndorsementKey_isRefusedWithoutAChallenge() throws Exception {
        try (Swtpm tpm = Swtpm.start(dir.resolve("tpm-unknown"))) {
            tpm.device("enroll", "rsa", "ecc").assertSuccess("device.sh enroll");
            String regId = EnrollmentAttestation.Tpm.registrationId(Bytes.copyOf(tpm.read("ek.pub")));
            Reply refused = put(regId, firstBody(tpm, regId));
            assertThat(refused.status()).as(refused.body()).isEqualTo(401);
            assertThat(refused.json().has("challengeId")).isFalse();
            assertThat(refused.json().get("info").get("code").asText()).isEqualTo("no-enrollment");
            assertThat(refused.json().get("message").asText()).contains("no individual TPM enrollment", regId);
            assertThat(events("provisioning.registration.refused", regId, "no-enrollment")).isEqualTo(1);
            assertThat(events("provisioning.tpm.challenged", regId, null)).isZero();
        }
    }

    @Test
    void disabledEnrollment_refusesTheActivationAndFurtherChallenges() throws Exception {
        try (Swtpm tpm = Swtpm.start(dir.resolve("tpm-disabled"))) {
            tpm.device("enroll", "rsa", "ecc").assertSuccess("device.sh enroll");
            String regId = enroll(tpm, true);
            Reply challenge = put(regId, firstBody(tpm, regId));
            assertThat(challenge.status()).as(challenge.body()).isEqualTo(401);
            Answer answer = answer(tpm, regId, challenge.json());

            provisioning.setEnabled("individual", regId, false, "test");
            Reply refused = put(regId, answer.body().toString());
            assertThat(refused.status()).as(refused.body()).isEqualTo(401);
            assertThat(refused.json().get("info").get("code").asText()).isEqualTo("enrollment-disabled");
            assertThat(refused.json().get("message").asText()).contains("is disabled");
            assertThat(server.registry().registry().devices().find(new DeviceId(regId))).isEmpty();

            Reply again = put(regId, firstBody(tpm, regId));
            assertThat(again.status()).as(again.body()).isEqualTo(401);
            assertThat(again.json().has("challengeId")).isFalse();
            assertThat(again.json().get("info").get("code").asText()).isEqualTo("enrollment-disabled");
            assertThat(events("provisioning.registration.refused", regId, "enrollment-disabled")).isEqualTo(2);
            assertThat(events("provisioning.tpm.challenged", regId, null)).isEqualTo(1);
        }
    }

    @Test
    void ekCertificate_isValidatedAgainstTheConfiguredManufacturerRoots_andChallengesAreRateLimited() throws Exception {
        try (Swtpm tpm = Swtpm.start(dir.resolve("tpm-ekcert"))) {
            tpm.device("enroll", "rsa", "ecc").assertSuccess("device.sh enroll");
            String regId = enroll(tpm, true);
            PublicKey ek = TpmStructures.parsePublic(tpm.read("ek.pub")).publicKey();

            ObjectNode trusted = (ObjectNode) JSON.readTree(firstBody(tpm, regId));
            ((ObjectNode) trusted.get("tpm")).put("ekCertificate", b64(maker.ekCertificate(ek)));
            Reply challenge = put(regId, trusted.toString());
            assertThat(challenge.status()).as(challenge.body()).isEqualTo(401);
            assertThat(challenge.json().get("challengeId").asText()).matches("[0-9a-f]{32}");

            ObjectNode rogue = (ObjectNode) JSON.readTree(firstBody(tpm, regId));
            ((ObjectNode) rogue.get("tpm")).put("ekCertificate", b64(new Manufacturer("CN=Rogue TPM Manufacturer").ekCertificate(ek)));
            Reply refused = put(regId, rogue.toString());
            assertThat(refused.status()).as(refused.body()).isEqualTo(401);
            assertThat(refused.json().get("info").get("code").asText()).isEqualTo("tpm-ek-certificate-untrusted");
            assertThat(events("provisioning.registration.refused", regId, "tpm-ek-certificate-untrusted")).isEqualTo(1);

            // The per-device limit (10 a minute by default) counts challenge requests of an enrolled EK, as for X.509.
            Reply limited = null;
            for (int i = 0; i < 12 && limited == null; i++) {
                Reply r = put(regId, trusted.toString());
                if (r.status() == 429) limited = r;
                else assertThat(r.status()).as(r.body()).isEqualTo(401);
            }
            assertThat(limited).as("a 429 within 12 more requests").isNotNull();
            assertThat(limited.json().get("info").get("code").asText()).isEqualTo("rate-limited");
            assertThat(events("provisioning.registration.refused", regId, "rate-limited")).isEqualTo(1);
        }
    }

    /** A TPM manufacturer CA that signs EK certificates (RSA root, as most are). */
    static final class Manufacturer {
        final X509Certificate root;
        private final PrivateKey key;

        Manufacturer(String name) throws Exception {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(2048);
            KeyPair kp = gen.generateKeyPair();
            Instant now = Instant.now();
            X500Name x500 = new X500Name(name);
            var b = new JcaX509v3CertificateBuilder(x500, BigInteger.ONE, Date.from(now.minusSeconds(3600)), Date.from(now.plus(Duration.ofDays(3650))),
                    x500, kp.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            root = new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withRSA").build(kp.getPrivate())));
            key = kp.getPrivate();
        }

        byte[] ekCertificate(PublicKey ek) throws Exception {
            Instant now = Instant.now();
            var b = new X509v3CertificateBuilder(new X500Name(root.getSubjectX500Principal().getName()), BigInteger.valueOf(now.toEpochMilli()),
                    Date.from(now.minusSeconds(3600)), Date.from(now.plus(Duration.ofDays(3650))), new X500Name("CN=TPM EK"),
                    SubjectPublicKeyInfo.getInstance(ek.getEncoded()));
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyEncipherment));
            return b.build(new JcaContentSignerBuilder("SHA256withRSA").build(key)).getEncoded();
        }
    }

    // ---- the device side, over HTTPS

    private static String enroll(Swtpm tpm, boolean enabled) {
        Bytes ek = Bytes.copyOf(tpm.read("ek.pub"));
        String regId = EnrollmentAttestation.Tpm.registrationId(ek);
        provisioning.createIndividual(new Enrollment.Individual(regId, new EnrollmentAttestation.Tpm(ek, Optional.empty()), Optional.empty(),
                new EnrollmentSettings(enabled, JsonDocument.parse("{\"interval\":30}"), JsonDocument.parse("{}"), Optional.empty(), false,
                        new AllocationPolicy.Hashed(), List.of(), ReprovisionPolicy.MIGRATE, null, Optional.of(Duration.ofDays(2))),
                Instant.now(), Instant.now(), 1), "test");
        return regId;
    }

    private static String firstBody(Swtpm tpm, String regId) {
        ObjectNode body = JSON.createObjectNode();
        body.put("registrationId", regId);
        ObjectNode t = body.putObject("tpm");
        t.put("endorsementKey", b64(tpm.read("ek.pub")));
        t.put("attestationKey", b64(tpm.read("ak.pub")));
        return body.toString();
    }

    record Answer(ObjectNode body, byte[] keyPublic) {
    }

    /** Activation, key, certification with the nonce, CSR signed in the TPM: the second PUT's body. */
    private static Answer answer(Swtpm tpm, String regId, JsonNode challenge) throws Exception {
        tpm.write("cred.bin", Base64.getDecoder().decode(challenge.get("tpm2ToolsCredential").asText()));
        tpm.device("activate", "cred.bin", "secret.bin").assertSuccess("device.sh activate");
        tpm.device("create-key", KEY_HANDLE, "key").assertSuccess("device.sh create-key");
        byte[] keyPublic = tpm.read("key.pub");
        byte[] nonce = Base64.getDecoder().decode(challenge.get("nonce").asText());
        tpm.device("certify", KEY_HANDLE, HexFormat.of().formatHex(nonce)).assertSuccess("device.sh certify");
        byte[] csr = csr(tpm, keyPublic, regId);
        ObjectNode body = (ObjectNode) JSON.readTree(firstBody(tpm, regId));
        ObjectNode t = (ObjectNode) body.get("tpm");
        t.put("challengeId", challenge.get("challengeId").asText());
        t.put("activatedSecret", b64(tpm.read("secret.bin")));
        t.put("keyPublic", b64(keyPublic));
        t.put("certifyInfo", b64(tpm.read("certify.attest")));
        t.put("certifySignature", b64(tpm.read("certify.sig")));
        body.put("csr", b64(csr));
        return new Answer(body, keyPublic);
    }

    /** The CertificationRequestInfo is built here; its SHA-256 is signed by the TPM key ({@code device.sh sign}). */
    private static byte[] csr(Swtpm tpm, byte[] keyPublic, String cn) throws Exception {
        SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(TpmStructures.parsePublic(keyPublic).publicKey().getEncoded());
        ContentSigner signer = new ContentSigner() {
            private final ByteArrayOutputStream info = new ByteArrayOutputStream();

            @Override
            public AlgorithmIdentifier getAlgorithmIdentifier() {
                return new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA256);
            }

            @Override
            public OutputStream getOutputStream() {
                return info;
            }

            @Override
            public byte[] getSignature() {
                tpm.write("csr.digest", TpmHash.SHA256.digest(info.toByteArray()));
                tpm.device("sign", KEY_HANDLE, "csr.digest", "csr.sig").assertSuccess("device.sh sign");
                return tpm.read("csr.sig");
            }
        };
        return new PKCS10CertificationRequestBuilder(new X500Name("CN=" + cn), spki).build(signer).getEncoded();
    }

    record Reply(int status, String body) {
        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    private static Reply put(String regId, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.httpsPort() + "/" + provisioning.idScope()
                        + "/registrations/" + regId + "/register?api-version=2021-06-01"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body());
    }

    private static long events(String activity, String regId, String code) {
        List<StoredEvent> all = server.events().read(EventQuery.all(10_000).withActivityPrefix(activity));
        return all.stream().filter(e -> e.event().activity().equals(activity))
                .filter(e -> regId.equals(e.event().details().get("registrationId")))
                .filter(e -> code == null || code.equals(e.event().details().get("code"))).count();
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    private static String pem(String type, String base64) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(Base64.getDecoder().decode(base64))
                + "\n-----END " + type + "-----\n";
    }

    /** swtpm in socket mode on a free loopback port pair, fresh state; the device script runs against it. */
    static final class Swtpm implements AutoCloseable {
        private final Process process;
        private final int port;
        private final Path work;
        private final Path script;

        private Swtpm(Process process, int port, Path work, Path script) {
            this.process = process;
            this.port = port;
            this.work = work;
            this.script = script;
        }

        static Swtpm start(Path dir) throws IOException, InterruptedException {
            Path swtpm = ExternalTool.require("swtpm");
            for (String tool : List.of("tpm2_createek", "tpm2_createak", "tpm2_activatecredential", "tpm2_create", "tpm2_send", "tpm2_sign", "xxd")) {
                ExternalTool.require(tool);
            }
            // The reference device script lives with the provisioning module's tests; the server module runs from server/.
            Path script = Path.of("").toAbsolutePath().getParent().resolve("provisioning/src/test/resources/tpm/device.sh");
            assertThat(script).as("the device script").exists();
            Path state = Files.createDirectories(dir.resolve("state"));
            Path work = Files.createDirectories(dir.resolve("device"));
            for (int attempt = 0; attempt < 20; attempt++) {
                int port = freePortPair();
                Process p = new ProcessBuilder(swtpm.toString(), "socket", "--tpm2",
                        "--server", "type=tcp,port=" + port + ",bindaddr=127.0.0.1",
                        "--ctrl", "type=tcp,port=" + (port + 1) + ",bindaddr=127.0.0.1",
                        "--tpmstate", "dir=" + state, "--flags", "not-need-init,startup-clear")
                        .redirectErrorStream(true).redirectOutput(dir.resolve("swtpm.log").toFile()).start();
                if (listening(p, port)) return new Swtpm(p, port, work, script);
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            throw new AssertionError("swtpm did not start on a free loopback port in 20 attempts; see " + dir.resolve("swtpm.log"));
        }

        private static boolean listening(Process p, int port) throws InterruptedException {
            for (int i = 0; i < 100; i++) {
                if (!p.isAlive()) return false;
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                    return true;
                } catch (IOException notYet) {
                    Thread.sleep(50);
                }
            }
            return false;
        }

        private static int freePortPair() throws IOException {
            for (int i = 0; i < 50; i++) {
                int port;
                try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                    port = s.getLocalPort();
                }
                if (port >= 65535) continue;
                try (ServerSocket s = new ServerSocket(port + 1, 1, InetAddress.getLoopbackAddress())) {
                    return port;
                } catch (IOException taken) {
                    // try another pair
                }
            }
            throw new IOException("no free loopback port pair after 50 tries");
        }

        ProcessRun device(String... args) {
            List<String> cmd = new ArrayList<>(List.of("bash", script.toString()));
            cmd.addAll(List.of(args));
            return ProcessRun.run(work, cmd, Map.of("TPM2TOOLS_TCTI", "swtpm:host=127.0.0.1,port=" + port), null, 120);
        }

        byte[] read(String name) {
            try {
                return Files.readAllBytes(work.resolve(name));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        void write(String name, byte[] bytes) {
            try {
                Files.write(work.resolve(name), bytes);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
