package dev.holdfast.device;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.device.hub.Backoff;
import dev.holdfast.device.hub.HubClient;
import dev.holdfast.device.hub.HubClientConfig;
import dev.holdfast.device.hub.Message;
import dev.holdfast.testing.ExternalTool;
import dev.holdfast.testing.ProcessRun;
import dev.holdfast.testing.TestCertificates;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A device key generated on a PKCS#11 token (SoftHSM2 through SunPKCS11): it signs a valid CSR, its
 * private half cannot be read, and it authenticates a real TLS connection (to Mosquitto, which
 * requires a client certificate). SOFTHSM2_CONF is set by failsafe (device/pom.xml) to
 * target/softhsm2/softhsm2.conf, which this test writes before SunPKCS11 loads the library.
 */
class Pkcs11DeviceKeyIT {
    private static final String[] SOFTHSM_LIBRARY_LOCATIONS = {
            "/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"};
    private static final Pattern REASSIGNED_SLOT = Pattern.compile("reassigned to slot (\\d+)");

    @TempDir
    Path dir;

    @Test
    void tokenKey_signsACsr_neverExportsItsPrivateKey_andAuthenticatesMutualTls() throws Exception {
        Path util = ExternalTool.require("softhsm2-util");
        Path library = ExternalTool.require("libsofthsm2.so", SOFTHSM_LIBRARY_LOCATIONS);
        Path conf = softHsmConfiguration();
        SecureRandom random = new SecureRandom();
        String pin = randomPin(random);
        ProcessRun init = ProcessRun.run(dir, List.of(util.toString(), "--init-token", "--free", "--label", "device-" + HexFormat.of().toHexDigits(random.nextInt()),
                "--pin", pin, "--so-pin", randomPin(random)), Map.of("SOFTHSM2_CONF", conf.toString()), null, 60).assertSuccess("softhsm2-util --init-token");
        Matcher m = REASSIGNED_SLOT.matcher(init.output());
        assertThat(m.find()).as(init.output()).isTrue();

        Pkcs11Token token = Pkcs11Token.open(library, Long.parseLong(m.group(1)), pin.toCharArray());
        DeviceKey key = token.generateP256("operational");
        assertThat(key.privateKey().getEncoded()).as("a sensitive, non-extractable key has no encoding").isNull();
        assertThat(key.location()).startsWith("pkcs11:libsofthsm2.so;slot=");

        PKCS10CertificationRequest csr = new PKCS10CertificationRequest(Certificates.csr(key, "sensor-hsm-1"));
        assertThat(csr.getSubject().toString()).isEqualTo("CN=sensor-hsm-1");
        assertThat(csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(csr.getSubjectPublicKeyInfo()))).isTrue();

        // A test CA issues the device certificate for the token's public key; Mosquitto trusts that CA.
        TestCa testCa = new TestCa("Token Test CA");
        X509Certificate ca = testCa.certificate();
        X509Certificate leaf = testCa.issue(key.publicKey(), "sensor-hsm-1", Duration.ofDays(1));
        token.storeChain("operational", List.of(leaf, ca));
        DeviceKey reloaded = token.load("operational").orElseThrow();
        DeviceIdentity identity = new DeviceIdentity(reloaded, token.chain("operational"));

        TestCertificates.Root root = TestCertificates.newRoot("Broker Root");
        try (Mosquitto broker = Mosquitto.start(dir.resolve("broker"), root, List.of(ca)); DeviceRuntime runtime = DeviceRuntime.create();
             HubClient client = HubClient.create(runtime, HubClientConfig.builder("127.0.0.1", "sensor-hsm-1", identity, List.of(root.certificate()))
                     .port(broker.port()).backoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(200))).build())) {
            try {
                client.connect().get(20, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("not connected: " + client.stats().lastError() + "\nbroker: " + broker.log(), e);
            }
            client.sendTelemetry(Message.of("from the token".getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);
            assertThat(client.stats().telemetryAcknowledged()).isEqualTo(1);
        }
    }

    private static Path softHsmConfiguration() throws Exception {
        String env = System.getenv("SOFTHSM2_CONF");
        assertThat(env).as("SOFTHSM2_CONF must be set before the JVM starts; run through failsafe (-Dit.test=Pkcs11DeviceKeyIT)").isNotBlank();
        Path conf = Path.of(env).toAbsolutePath().normalize();
        assertThat(conf.getParent().getFileName()).hasToString("softhsm2");
        assertThat(conf.getParent().getParent().getFileName()).hasToString("target");
        Path tokens = conf.resolveSibling("tokens");
        if (Files.isDirectory(tokens)) {
            try (Stream<Path> old = Files.walk(tokens)) {
                old.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(tokens)).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(tokens);
        Files.writeString(conf, "# written by Pkcs11DeviceKeyIT\ndirectories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n",
                StandardCharsets.US_ASCII);
        return conf;
    }

    private static String randomPin(SecureRandom random) {
        byte[] b = new byte[12];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
