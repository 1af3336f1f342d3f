package dev.holdfast.provisioning.tpm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.holdfast.events.internal.JdbcEventLog;
import dev.holdfast.pki.Bytes;
import dev.holdfast.pki.IssuanceRequest;
import dev.holdfast.pki.IssuedCertificate;
import dev.holdfast.pki.Pki;
import dev.holdfast.pki.PkiSettings;
import dev.holdfast.pki.Profile;
import dev.holdfast.pki.SubjectAuthorization;
import dev.holdfast.pki.internal.Pkcs12KeyBackend;
import dev.holdfast.provisioning.tpm.TpmAttestationException.Reason;
import dev.holdfast.store.Database;
import dev.holdfast.store.StoreConfig;
import dev.holdfast.testing.ExternalTool;
import dev.holdfast.testing.ProcessRun;
import dev.holdfast.testing.SharedTestData;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Holdfast's TPM-bound X.509 flow end to end against a real software TPM ({@code swtpm}) driven by
 * {@code tpm2-tools} through the scripted device side ({@code src/test/resources/tpm/device.sh}):
 * EK and AK, our Java MakeCredential activated by the TPM, a TPM key certified by the AK with our
 * nonce, a CSR signed in the TPM, verification, and an operational certificate from the real CA
 * whose key {@code openssl} confirms is the TPM key. Then every refusal, each against real TPM output.
 */
class TpmAttestationIT {
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;
    Swtpm swtpm;
    TpmDevice device;
    TpmAttestation attestation;
    InMemoryChallengeLedger ledger;

    @BeforeEach
    void startTpm() throws Exception {
        swtpm = Swtpm.start(dir.resolve("tpm"));
        device = new TpmDevice(swtpm);
        attestation = new TpmAttestation(Optional.of(TpmEkRoots.load(SharedTestData.dir("tpm-ek-roots"))), Clock.systemUTC(),
                Duration.ofMinutes(5), RANDOM);
        ledger = new InMemoryChallengeLedger(Clock.systemUTC(), 1000);
    }

    @AfterEach
    void stopTpm() throws Exception {
        if (swtpm != null) swtpm.close();
    }

    @ParameterizedTest(name = "EK {0}, AK {1}")
    @CsvSource({"rsa,ecc", "ecc,rsa", "rsa,rsapss"})
    void endToEnd_tpmKeyGetsAnOperationalCertificateForThatKey(String ekAlg, String akAlg) throws Exception {
        device.enroll(ekAlg, akAlg);
        TpmChallenge challenge = attestation.challenge(TpmEndorsement.ofPublic(device.ekPublic()), device.akPublic());
        assertThat(challenge.akName().toArray()).isEqualTo(swtpm.read("ak.name"));

        byte[] secret = device.activate(challenge.tpm2ToolsCredentialFile());
        byte[] keyPublic = device.createKey(TpmDevice.KEY_HANDLE, "key");
        TpmDevice.Certification certification = device.certify(TpmDevice.KEY_HANDLE, challenge.nonce().toArray());
        byte[] csr = device.csr(TpmDevice.KEY_HANDLE, keyPublic, "tpm-device-1");

        AttestedKey attested = attestation.verify(challenge,
                TpmActivation.of(secret, keyPublic, certification.attest(), certification.signature(), csr), ledger);

        TpmPublic tpmKey = TpmStructures.parsePublic(keyPublic);
        assertThat(TpmStructures.sameKey(attested.publicKey(), tpmKey.publicKey())).isTrue();
        assertThat(attested.keyName()).isEqualTo(tpmKey.name());
        assertThat(attested.csrCommonName()).contains("tpm-device-1");
        assertThat(attested.challengeId()).isEqualTo(challenge.id());

        // The real CA issues the operational certificate; openssl judges that its key is the TPM key.
        try (CaFixture ca = new CaFixture(dir.resolve("ca"))) {
            IssuedCertificate issued = ca.pki.ca().issue(new IssuanceRequest(attested.csr(), Profile.DEVICE,
                    SubjectAuthorization.device("tpm-device-1"), Optional.empty(), "tpm-attestation-it"));
            Path work = dir.resolve("ca");
            Files.writeString(work.resolve("leaf.pem"), pem("CERTIFICATE", issued.der().toArray()));
            Files.writeString(work.resolve("devices.pem"), pem("CERTIFICATE", ca.pki.ca().caCertificate("devices").getEncoded()));
            Files.writeString(work.resolve("root.pem"), pem("CERTIFICATE", ca.pki.ca().caCertificate("root").getEncoded()));
            Files.writeString(work.resolve("tpmkey.pem"), pem("PUBLIC KEY", tpmKey.publicKey().getEncoded()));
            String certKey = openssl(work, "x509", "-in", "leaf.pem", "-noout", "-pubkey").stdout();
            String tpmKeyPem = openssl(work, "pkey", "-pubin", "-in", "tpmkey.pem").stdout();
            assertThat(certKey).isEqualTo(tpmKeyPem);
            assertThat(openssl(work, "verify", "-CAfile", "root.pem", "-untrusted", "devices.pem", "-purpose", "sslclient", "leaf.pem").stdout())
                    .contains("leaf.pem: OK");
        }
    }

    @ParameterizedTest(name = "EK {0}")
    @ValueSource(strings = {"rsa", "ecc"})
    void makeCredential_isWhatTpm2MakecredentialMakes_theTpmActivatesBoth(String ekAlg) throws Exception {
        device.enroll(ekAlg, "ecc");
        TpmPublic ek = TpmStructures.parsePublic(device.ekPublic());
        Bytes akName = TpmStructures.parsePublic(device.akPublic()).name();
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);

        swtpm.write("secret.in", secret);
        swtpm.tool("tpm2_makecredential", "-T", "none", "-u", "ek.pub", "-s", "secret.in", "-n", akName.hex(), "-o", "theirs.cred")
                .assertSuccess("tpm2_makecredential");
        MakeCredential.Result theirs = TpmStructures.parseTpm2ToolsCredential(swtpm.read("theirs.cred"));
        MakeCredential.Result ours = MakeCredential.make(ek, akName, secret, RANDOM);

        // Same structure: the same sizes throughout (the contents differ: each run draws a new seed).
        assertThat(ours.credentialBlob().length()).isEqualTo(theirs.credentialBlob().length());
        assertThat(ours.encryptedSecret().length()).isEqualTo(theirs.encryptedSecret().length());
        assertThat(ours.tpm2ToolsFile().length).isEqualTo(swtpm.read("theirs.cred").length);
        assertThat(HexFormat.of().formatHex(ours.tpm2ToolsFile(), 0, 8)).isEqualTo("badcc0de00000001");
        assertThat(ours.credentialBlob()).isNotEqualTo(theirs.credentialBlob());

        assertThat(device.activate(swtpm.read("theirs.cred"))).isEqualTo(secret);
        assertThat(device.activate(ours.tpm2ToolsFile())).isEqualTo(secret);
    }

    @Test
    void credential_forAnotherAkName_doesNotActivate() throws Exception {
        device.enroll("rsa", "ecc");
        TpmPublic ek = TpmStructures.parsePublic(device.ekPublic());
        byte[] otherName = TpmStructures.parsePublic(device.akPublic()).name().toArray();
        otherName[5] ^= 1;
        swtpm.write("cred.bin", MakeCredential.make(ek, Bytes.wrapOwned(otherName), new byte[32], RANDOM).tpm2ToolsFile());
        ProcessRun run = swtpm.device("activate", "cred.bin", "secret.bin");
        assertThat(run.exitCode()).isNotZero();
        assertThat(run.output()).containsIgnoringCase("integrity");
    }

    @Test
    void credential_forThisTpm_doesNotActivateOnAnotherTpm() throws Exception {
        device.enroll("rsa", "ecc");
        TpmChallenge challenge = attestation.challenge(TpmEndorsement.ofPublic(device.ekPublic()), device.akPublic());
        try (Swtpm other = Swtpm.start(dir.resolve("other-tpm"))) {
            // Same script, same handles, another TPM: its EK cannot open a credential made for ours.
            other.device("enroll", "rsa", "ecc").assertSuccess("enroll on the other TPM");
            other.write("cred.bin", challenge.tpm2ToolsCredentialFile());
            ProcessRun run = other.device("activate", "cred.bin", "secret.bin");
            assertThat(run.exitCode()).as(run.output()).isNotZero();
        }
        assertThat(device.activate(challenge.tpm2ToolsCredentialFile())).hasSize(32);
    }

    @Test
    void verify_refusesAWrongSecret() throws Exception {
        Prepared p = prepare();
        byte[] wrong = p.secret.clone();
        wrong[0] ^= 1;
        assertRefused(() -> attestation.verify(p.challenge, p.activationWith(wrong), ledger), Reason.WRONG_SECRET);
    }

    @Test
    void verify_refusesAReplayOfASuccessfulActivation() throws Exception {
        Prepared p = prepare();
        attestation.verify(p.challenge, p.activation(), ledger);
        assertRefused(() -> attestation.verify(p.challenge, p.activation(), ledger), Reason.CHALLENGE_REPLAYED);
    }

    @Test
    void verify_refusesACertificationOfAnotherKey() throws Exception {
        Prepared p = prepare();
        byte[] other = device.createKey(TpmDevice.OTHER_KEY_HANDLE, "other");
        TpmDevice.Certification ofOther = device.certify(TpmDevice.OTHER_KEY_HANDLE, p.challenge.nonce().toArray());
        var activation = TpmActivation.of(p.secret, p.keyPublic, ofOther.attest(), ofOther.signature(), p.csr);
        assertRefused(() -> attestation.verify(p.challenge, activation, ledger), Reason.CERTIFIED_KEY_MISMATCH);
        // The other key with its own certification but this key's CSR: the CSR is for another key.
        var swapped = TpmActivation.of(p.secret, other, ofOther.attest(), ofOther.signature(), p.csr);
        assertRefused(() -> attestation.verify(p.challenge, swapped, ledger), Reason.CSR_KEY_MISMATCH);
    }

    @Test
    void verify_refusesACertificationWithoutTheNonce() throws Exception {
        Prepared p = prepare();
        TpmDevice.Certification plain = device.certifyWithoutNonce(TpmDevice.KEY_HANDLE);
        var activation = TpmActivation.of(p.secret, p.keyPublic, plain.attest(), plain.signature(), p.csr);
        assertRefused(() -> attestation.verify(p.challenge, activation, ledger), Reason.NONCE_MISMATCH);
    }

    @Test
    void verify_refusesACertificationNotSignedByTheAk() throws Exception {
        Prepared p = prepare();
        byte[] forged = p.certification.signature().clone();
        forged[forged.length - 1] ^= 1;
        var activation = TpmActivation.of(p.secret, p.keyPublic, p.certification.attest(), forged, p.csr);
        assertRefused(() -> attestation.verify(p.challenge, activation, ledger), Reason.CERTIFY_SIGNATURE_INVALID);
    }

    @Test
    void verify_refusesACsrForAnotherKey() throws Exception {
        Prepared p = prepare();
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair software = gen.generateKeyPair();
        byte[] csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=tpm-device-1"), software.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(software.getPrivate())).getEncoded();
        var activation = TpmActivation.of(p.secret, p.keyPublic, p.certification.attest(), p.certification.signature(), csr);
        assertRefused(() -> attestation.verify(p.challenge, activation, ledger), Reason.CSR_KEY_MISMATCH);
        // And one whose self-signature does not verify.
        byte[] broken = p.csr.clone();
        broken[broken.length - 3] ^= 1;
        var badCsr = TpmActivation.of(p.secret, p.keyPublic, p.certification.attest(), p.certification.signature(), broken);
        assertRefused(() -> attestation.verify(p.challenge, badCsr, ledger), Reason.CSR_INVALID);
    }

    @Test
    void challenge_refusesAnAkThatIsNotRestricted() throws Exception {
        device.enroll("rsa", "ecc");
        byte[] signingKey = device.createKey(TpmDevice.KEY_HANDLE, "key");
        assertRefused(() -> attestation.challenge(TpmEndorsement.ofPublic(device.ekPublic()), signingKey), Reason.AK_ATTRIBUTES);
    }

    @Test
    void challenge_refusesAnEkCertificateNotChainingToTheManufacturerRoots() throws Exception {
        device.enroll("rsa", "ecc");
        TestManufacturer rogue = new TestManufacturer("CN=Rogue TPM Manufacturer");
        byte[] cert = rogue.ekCertificate(TpmStructures.parsePublic(device.ekPublic()).publicKey(), false);
        assertRefused(() -> attestation.challenge(TpmEndorsement.of(device.ekPublic(), cert), device.akPublic()),
                Reason.EK_CERTIFICATE_UNTRUSTED);
    }

    @Test
    void challenge_withOnlyAnEkCertificateFromAConfiguredRoot_derivesTheEkAndTheTpmActivates() throws Exception {
        device.enroll("rsa", "ecc");
        TestManufacturer maker = new TestManufacturer("CN=Holdfast Test TPM Manufacturer Root");
        Path roots = Files.createDirectories(dir.resolve("test-roots"));
        Files.writeString(roots.resolve("test-maker.pem"), pem("CERTIFICATE", maker.root.getEncoded()));
        TpmAttestation withMaker = new TpmAttestation(Optional.of(TpmEkRoots.load(SharedTestData.dir("tpm-ek-roots"), roots)),
                Clock.systemUTC(), Duration.ofMinutes(5), RANDOM);
        TpmPublic ek = TpmStructures.parsePublic(device.ekPublic());
        // Labelled id-RSAES-OAEP, as many manufacturers' EK certificates are.
        byte[] cert = maker.ekCertificate(ek.publicKey(), true);

        TpmChallenge challenge = withMaker.challenge(TpmEndorsement.ofCertificate(cert), device.akPublic());
        assertThat(challenge.ekName()).isEqualTo(ek.name());
        assertThat(challenge.ekCertificateSha256()).isPresent();
        assertThat(device.activate(challenge.tpm2ToolsCredentialFile())).hasSize(32);

        // The same certificate with an EK public area of another TPM: refused as a mismatch.
        TpmPublic otherEk = TpmStructures.parsePublic(Files.readAllBytes(Path.of(getClass().getResource("/tpm/swtpm/ek.pub").toURI())));
        assertThat(TpmStructures.sameKey(otherEk.publicKey(), ek.publicKey())).isFalse();
        assertRefused(() -> withMaker.challenge(TpmEndorsement.of(otherEk.toTpm2b(), cert), device.akPublic()), Reason.EK_MISMATCH);
    }

    // ---- helpers ----

    private record Prepared(TpmChallenge challenge, byte[] secret, byte[] keyPublic, TpmDevice.Certification certification, byte[] csr) {
        TpmActivation activation() {
            return activationWith(secret);
        }

        TpmActivation activationWith(byte[] s) {
            return TpmActivation.of(s, keyPublic, certification.attest(), certification.signature(), csr);
        }
    }

    /** The whole honest device run up to, not including, verification. */
    private Prepared prepare() throws Exception {
        device.enroll("rsa", "ecc");
        TpmChallenge challenge = attestation.challenge(TpmEndorsement.ofPublic(device.ekPublic()), device.akPublic());
        byte[] secret = device.activate(challenge.tpm2ToolsCredentialFile());
        byte[] keyPublic = device.createKey(TpmDevice.KEY_HANDLE, "key");
        TpmDevice.Certification certification = device.certify(TpmDevice.KEY_HANDLE, challenge.nonce().toArray());
        byte[] csr = device.csr(TpmDevice.KEY_HANDLE, keyPublic, "tpm-device-1");
        return new Prepared(challenge, secret, keyPublic, certification, csr);
    }

    @FunctionalInterface
    private interface Call {
        void run() throws Exception;
    }

    private static void assertRefused(Call call, Reason reason) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(TpmAttestationException.class,
                e -> assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason));
    }

    private static ProcessRun openssl(Path work, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(ExternalTool.require("openssl").toString()));
        cmd.addAll(List.of(args));
        return ProcessRun.run(work, cmd).assertSuccess("openssl " + args[0]);
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    /** A stand-in TPM manufacturer CA that signs EK certificates (swtpm has none from a real maker). */
    static final class TestManufacturer {
        final X509Certificate root;
        private final PrivateKey key;

        TestManufacturer(String name) throws Exception {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(2048);
            KeyPair kp = gen.generateKeyPair();
            Instant now = Instant.now();
            X500Name x500 = new X500Name(name);
            var b = new JcaX509v3CertificateBuilder(x500, BigInteger.ONE, Date.from(now.minusSeconds(3600)),
                    Date.from(now.plus(Duration.ofDays(3650))), x500, kp.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            this.root = new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withRSA").build(kp.getPrivate())));
            this.key = kp.getPrivate();
        }

        byte[] ekCertificate(PublicKey ek, boolean oaepLabel) throws Exception {
            SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(ek.getEncoded());
            if (oaepLabel && ek instanceof RSAPublicKey) {
                spki = new SubjectPublicKeyInfo(new AlgorithmIdentifier(PKCSObjectIdentifiers.id_RSAES_OAEP, DERNull.INSTANCE), spki.parsePublicKey());
            }
            Instant now = Instant.now();
            var b = new X509v3CertificateBuilder(new X500Name(root.getSubjectX500Principal().getName()), new BigInteger(64, RANDOM),
                    Date.from(now.minusSeconds(3600)), Date.from(now.plus(Duration.ofDays(3650))), new X500Name("CN=TPM EK"), spki);
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyEncipherment));
            return b.build(new JcaContentSignerBuilder("SHA256withRSA").build(key)).getEncoded();
        }
    }

    /** A real CA on SQLite with PKCS#12 keys, as the server runs it. */
    static final class CaFixture implements AutoCloseable {
        final Database db;
        final JdbcEventLog events;
        final Pki pki;

        CaFixture(Path dir) throws Exception {
            Files.createDirectories(dir);
            db = Database.open(StoreConfig.embedded(dir));
            events = new JdbcEventLog(db);
            pki = Pki.open(db, new Pkcs12KeyBackend(dir.resolve("ca-keys.p12"), "test-passphrase".toCharArray()),
                    PkiSettings.defaults(URI.create("https://127.0.0.1:8443")), events, dir, List.of(), Clock.systemUTC()).initialize().start();
        }

        @Override
        public void close() {
            pki.close();
            events.close();
            db.close();
        }
    }
}
