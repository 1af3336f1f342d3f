package dev.holdfast.pki;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.events.internal.JdbcEventLog;
import dev.holdfast.pki.internal.DefaultCertificateAuthority;
import dev.holdfast.pki.internal.Pkcs11KeyBackend;
import dev.holdfast.store.Database;
import dev.holdfast.store.StoreConfig;
import dev.holdfast.testing.ExternalTool;
import dev.holdfast.testing.ProcessRun;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CA with its keys on a PKCS#11 token: SoftHSM2 through the JDK's SunPKCS11 provider, checked
 * by the real {@code openssl verify}.
 *
 * <p>SoftHSM2 reads its configuration from {@code SOFTHSM2_CONF} once, at {@code C_Initialize},
 * which happens when SunPKCS11 is first configured in this JVM. An environment variable cannot be
 * set from inside a running JVM, so failsafe sets it (pki/pom.xml) to
 * {@code target/softhsm2/softhsm2.conf}; this test writes that file, pointing the token store at
 * {@code target/softhsm2/tokens}, before anything loads the library.
 */
class Pkcs11CaIT {
    /** Debian/Ubuntu install the module at the first path, some multiarch layouts at the second. */
    private static final String[] SOFTHSM_LIBRARY_LOCATIONS = {
            "/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"};
    private static final Pattern REASSIGNED_SLOT = Pattern.compile("reassigned to slot (\\d+)");

    @TempDir
    Path dir;

    @Test
    void caOnSoftHsm_issuesADeviceCertificateThatOpensslVerifies_withKeysThatNeverLeaveTheToken() throws Exception {
        Path softhsmUtil = ExternalTool.require("softhsm2-util");
        Path openssl = ExternalTool.require("openssl");
        Path library = ExternalTool.require("libsofthsm2.so", SOFTHSM_LIBRARY_LOCATIONS);
        Path conf = softHsmConfiguration();
        Token token = initializeToken(softhsmUtil, conf);

        Path dataDir = dir.resolve("data");
        X509Certificate root;
        X509Certificate devices;
        IssuedCertificate leaf;
        try (Database db = Database.open(StoreConfig.embedded(dataDir)); JdbcEventLog events = new JdbcEventLog(db)) {
            Pkcs11KeyBackend keys = new Pkcs11KeyBackend(library, token.slotId(), 0, token.pin());
            try (Pki pki = openPki(db, keys, events, dataDir).initialize().start()) {
                root = pki.ca().trustAnchors().getFirst();
                devices = pki.ca().caCertificate(IssuingCaRole.DEVICES.caName());
                leaf = pki.ca().issue(new IssuanceRequest(Bytes.wrapOwned(deviceCsr(openssl, "hsm-device-1")), Profile.DEVICE,
                        SubjectAuthorization.device("hsm-device-1"), Optional.empty(), "Pkcs11CaIT"));
            }

            // Reopened in the same JVM (SunPKCS11 is already initialized): the CA finds its keys on the token.
            Pkcs11KeyBackend reopened = new Pkcs11KeyBackend(library, token.slotId(), 0, token.pin());
            try (Pki pki = openPki(db, reopened, events, dataDir)) {
                assertThat(pki.ca().isInitialized()).isTrue();
                assertThat(pki.ca().trustAnchors()).containsExactly(root);
                assertThat(pki.ca().caCertificate(IssuingCaRole.DEVICES.caName())).isEqualTo(devices);
                assertThat(pki.ca().authorities()).extracting(CaInfo::keyLocation)
                        .allSatisfy(location -> assertThat(location).startsWith("pkcs11:libsofthsm2.so;slot=" + token.slotId()));
                IssuedCertificate second = pki.ca().issue(new IssuanceRequest(Bytes.wrapOwned(deviceCsr(openssl, "hsm-device-2")), Profile.DEVICE,
                        SubjectAuthorization.device("hsm-device-2"), Optional.empty(), "Pkcs11CaIT"));
                assertThat(verify(openssl, root, devices, second)).contains(": OK");
            }
        }

        assertThat(verify(openssl, root, devices, leaf)).contains(": OK");
        assertCaKeysAreNotExtractable(library, token);
    }

    private static Pki openPki(Database db, Pkcs11KeyBackend keys, JdbcEventLog events, Path dataDir) {
        return Pki.open(db, keys, PkiSettings.defaults(URI.create("https://holdfast.test:8443")), events, dataDir,
                List.of(), Clock.systemUTC());
    }

    /** Writes the configuration SOFTHSM2_CONF names, with a token directory under target/, and clears old tokens. */
    private static Path softHsmConfiguration() throws Exception {
        String env = System.getenv("SOFTHSM2_CONF");
        assertThat(env).as("SOFTHSM2_CONF must be set before the JVM starts; run this test through failsafe "
                + "(./mvnw verify -pl pki -Dit.test=Pkcs11CaIT), which points it at target/softhsm2/softhsm2.conf").isNotBlank();
        Path conf = Path.of(env).toAbsolutePath().normalize();
        // This method rewrites the file and empties the token directory: never do that outside a build directory.
        assertThat(conf.getParent().getFileName()).as("SOFTHSM2_CONF=%s (expected: <build dir>/softhsm2/softhsm2.conf)", conf)
                .hasToString("softhsm2");
        assertThat(conf.getParent().getParent().getFileName()).as("SOFTHSM2_CONF=%s (expected: target/softhsm2/softhsm2.conf)", conf)
                .hasToString("target");
        Path tokens = conf.resolveSibling("tokens");
        if (Files.isDirectory(tokens)) {
            try (Stream<Path> old = Files.walk(tokens)) {
                old.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(tokens)).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(tokens);
        Files.writeString(conf, "# written by Pkcs11CaIT\n"
                + "directories.tokendir = " + tokens + "\n"
                + "objectstore.backend = file\n"
                + "log.level = ERROR\n", StandardCharsets.US_ASCII);
        return conf;
    }

    private record Token(long slotId, char[] pin) {
        @Override
        public char[] pin() {
            return pin.clone(); // Pkcs11KeyBackend wipes the array it is given
        }
    }

    /**
     * softhsm2-util takes the PINs only on its command line; acceptable for a throwaway test token
     * whose PINs are random and die with the build directory.
     */
    private Token initializeToken(Path softhsmUtil, Path conf) {
        SecureRandom random = new SecureRandom();
        byte[] suffix = new byte[4];
        random.nextBytes(suffix);
        String label = "holdfast-test-" + HexFormat.of().formatHex(suffix);
        String pin = randomPin(random);
        String soPin = randomPin(random);
        ProcessRun run = ProcessRun.run(dir, List.of(softhsmUtil.toString(), "--init-token", "--free", "--label", label,
                "--pin", pin, "--so-pin", soPin), Map.of("SOFTHSM2_CONF", conf.toString()), null, 60).assertSuccess("softhsm2-util --init-token");
        Matcher m = REASSIGNED_SLOT.matcher(run.output());
        assertThat(m.find()).as("slot id in softhsm2-util output: %s", run.output()).isTrue();
        return new Token(Long.parseLong(m.group(1)), pin.toCharArray());
    }

    private static String randomPin(SecureRandom random) {
        byte[] b = new byte[12];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private byte[] deviceCsr(Path openssl, String commonName) throws Exception {
        Path key = Files.createTempFile(dir, "device", ".key");
        Path csr = Files.createTempFile(dir, "device", ".csr");
        ProcessRun.run(dir, List.of(openssl.toString(), "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-keyout", key.toString(), "-subj", "/CN=" + commonName, "-outform", "DER", "-out", csr.toString()))
                .assertSuccess("openssl req");
        return Files.readAllBytes(csr);
    }

    /** {@code openssl verify -CAfile root.pem -untrusted devices.pem leaf.pem}, stdout and stderr. */
    private String verify(Path openssl, X509Certificate root, X509Certificate devices, IssuedCertificate leaf) throws Exception {
        Path rootPem = writePem("root", root.getEncoded());
        Path devicesPem = writePem("devices", devices.getEncoded());
        Path leafPem = writePem("leaf", leaf.der().toArray());
        ProcessRun run = ProcessRun.run(dir, List.of(openssl.toString(), "verify", "-CAfile", rootPem.toString(),
                "-untrusted", devicesPem.toString(), leafPem.toString()));
        assertThat(run.exitCode()).as(run.output()).isZero();
        return run.output();
    }

    private Path writePem(String name, byte[] der) throws Exception {
        Path file = Files.createTempFile(dir, name, ".pem");
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        Files.writeString(file, "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n", StandardCharsets.US_ASCII);
        return file;
    }

    /**
     * The CA keys were generated with CKA_SENSITIVE=true and CKA_EXTRACTABLE=false, so SunPKCS11
     * hands out a handle without key material: {@code getEncoded()} is null. Read through a third
     * provider instance on the same token, independent of the CA's own objects.
     */
    private static void assertCaKeysAreNotExtractable(Path library, Token token) throws Exception {
        Provider provider = Security.getProvider("SunPKCS11").configure(
                "--name = holdfast-check\nlibrary = " + library + "\nslot = " + token.slotId() + "\n");
        KeyStore store = KeyStore.getInstance("PKCS11", provider);
        store.load(null, token.pin());
        for (String alias : List.of(DefaultCertificateAuthority.ROOT, IssuingCaRole.DEVICES.caName(), IssuingCaRole.INFRASTRUCTURE.caName())) {
            assertThat(store.isKeyEntry(alias)).as(alias).isTrue();
            PrivateKey key = (PrivateKey) store.getKey(alias, null);
            assertThat(key.getEncoded()).as("encoded private key of %s", alias).isNull();
        }
    }
}
