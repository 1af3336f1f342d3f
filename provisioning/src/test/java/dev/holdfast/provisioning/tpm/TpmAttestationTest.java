package dev.holdfast.provisioning.tpm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.holdfast.pki.Bytes;
import dev.holdfast.provisioning.tpm.TpmAttestationException.Reason;
import dev.holdfast.testing.FakeClock;
import dev.holdfast.testing.SharedTestData;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** What the attestation decides without a TPM: expiry, one-time use, EK roots, and misuse of the API. */
class TpmAttestationTest {
    private final FakeClock clock = FakeClock.startingNow();
    private final TpmAttestation attestation = new TpmAttestation(Optional.empty(), clock, Duration.ofMinutes(5), new SecureRandom());

    @Test
    void challenge_keepsOnlyTheSecretsHash_andBindsTheAkName() throws Exception {
        TpmChallenge c = attestation.challenge(TpmEndorsement.ofPublic(Fixtures.swtpm("ek.pub")), Fixtures.swtpm("ak.pub"));
        assertThat(c.akName().toArray()).isEqualTo(Fixtures.swtpm("ak.name"));
        assertThat(c.secretSha256().length()).isEqualTo(32);
        assertThat(c.nonce().length()).isEqualTo(32);
        assertThat(c.expiresAt()).isEqualTo(c.issuedAt().plus(Duration.ofMinutes(5)));
        assertThat(TpmStructures.parseTpm2ToolsCredential(c.tpm2ToolsCredentialFile()).credentialBlob()).isEqualTo(c.credentialBlob());
        TpmChallenge again = attestation.challenge(TpmEndorsement.ofPublic(Fixtures.swtpm("ek.pub")), Fixtures.swtpm("ak.pub"));
        assertThat(again.id()).isNotEqualTo(c.id());
        assertThat(again.nonce()).isNotEqualTo(c.nonce());
        assertThat(again.secretSha256()).isNotEqualTo(c.secretSha256());
    }

    @Test
    void verify_refusesAnExpiredChallenge_beforeLookingAtAnythingElse() throws Exception {
        TpmChallenge c = attestation.challenge(TpmEndorsement.ofPublic(Fixtures.swtpm("ek.pub")), Fixtures.swtpm("ak.pub"));
        clock.advance(Duration.ofMinutes(5));
        var empty = Bytes.wrapOwned(new byte[0]);
        assertThatThrownBy(() -> attestation.verify(c, new TpmActivation(empty, empty, empty, empty, empty), (id, exp) -> true))
                .isInstanceOfSatisfying(TpmAttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.CHALLENGE_EXPIRED));
    }

    @Test
    void challenge_refusesAnEkThatIsNotAStorageKey_andMalformedInput() {
        assertThatThrownBy(() -> attestation.challenge(TpmEndorsement.ofPublic(Fixtures.swtpm("ak.pub")), Fixtures.swtpm("ak.pub")))
                .isInstanceOfSatisfying(TpmAttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.EK_UNSUPPORTED));
        assertThatThrownBy(() -> attestation.challenge(TpmEndorsement.ofPublic(new byte[]{0, 1, 0}), Fixtures.swtpm("ak.pub")))
                .isInstanceOfSatisfying(TpmAttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED));
        assertThatThrownBy(() -> attestation.challenge(TpmEndorsement.ofCertificate(new byte[]{0x30, 0}), Fixtures.swtpm("ak.pub")))
                .isInstanceOfSatisfying(TpmAttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED));
    }

    @Test
    void challenge_refusesEveryEkCertificateWhenNoRootsAreConfigured() throws Exception {
        var maker = new TpmAttestationIT.TestManufacturer("CN=Some Maker");
        byte[] cert = maker.ekCertificate(TpmStructures.parsePublic(Fixtures.swtpm("ek.pub")).publicKey(), false);
        assertThatThrownBy(() -> attestation.challenge(TpmEndorsement.ofCertificate(cert), Fixtures.swtpm("ak.pub")))
                .isInstanceOfSatisfying(TpmAttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.EK_CERTIFICATE_UNTRUSTED))
                .hasMessageContaining("no TPM manufacturer roots are configured");
    }

    @Test
    void ekRoots_loadTheManufacturerRoots_andChainTheirIntermediates() throws Exception {
        TpmEkRoots roots = TpmEkRoots.load(SharedTestData.dir("tpm-ek-roots"));
        assertThat(roots.anchorCount()).isGreaterThan(10);
        assertThat(roots.intermediateCount()).isGreaterThan(5);
        // Each shared intermediate CA certificate is itself validated as a target: at least the
        // manufacturers that publish root and intermediate together must chain.
        var cf = java.security.cert.CertificateFactory.getInstance("X.509");
        int chained = 0;
        try (var files = java.nio.file.Files.list(SharedTestData.dir("tpm-ek-roots"))) {
            for (var f : files.sorted().toList()) {
                X509Certificate c = (X509Certificate) cf.generateCertificate(java.nio.file.Files.newInputStream(f));
                if (c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) continue;
                try {
                    Instant during = c.getNotBefore().toInstant().plus(Duration.ofDays(1));
                    List<X509Certificate> chain = roots.validate(c, List.of(), during);
                    assertThat(chain.getFirst()).isEqualTo(c);
                    chained++;
                } catch (java.security.GeneralSecurityException noPath) {
                    // its root is not published in the set: fine, counted below
                }
            }
        }
        assertThat(chained).isGreaterThan(0);
    }

    @Test
    void inMemoryLedger_consumesOnce_andRefusesToForgetUnexpiredIds() {
        var ledger = new InMemoryChallengeLedger(clock, 2);
        Instant exp = clock.instant().plusSeconds(60);
        assertThat(ledger.consume("a", exp)).isTrue();
        assertThat(ledger.consume("a", exp)).isFalse();
        assertThat(ledger.consume("b", exp)).isTrue();
        assertThatThrownBy(() -> ledger.consume("c", exp)).isInstanceOf(IllegalStateException.class).hasMessageContaining("limit is 2");
        clock.advance(Duration.ofSeconds(61));
        assertThat(ledger.consume("c", clock.instant().plusSeconds(60))).isTrue();
    }

    @Test
    void constructor_refusesAnUnreasonableValidity() {
        assertThatThrownBy(() -> new TpmAttestation(Optional.empty(), clock, Duration.ofSeconds(1), new SecureRandom()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT10S..PT1H");
    }
}
