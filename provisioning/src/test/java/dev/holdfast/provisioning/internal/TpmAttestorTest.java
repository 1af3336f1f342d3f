package dev.holdfast.provisioning.internal;

import dev.holdfast.provisioning.ProvisioningRefusal;
import dev.holdfast.provisioning.ProvisioningRefusedException;
import dev.holdfast.provisioning.tpm.TpmAttestation;
import dev.holdfast.provisioning.tpm.TpmAttestationException;
import dev.holdfast.provisioning.tpm.TpmAttestationException.Reason;
import dev.holdfast.provisioning.tpm.TpmChallenge;
import dev.holdfast.provisioning.tpm.TpmEndorsement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The service side of the TPM flow without a TPM: the tpm member's shapes, stored challenges, refusal mapping. */
class TpmAttestorTest {

    @ParameterizedTest
    @EnumSource(Reason.class)
    void refusal_mapsEveryReasonToItsOwnCodeWithTheRuleInTheMessage(Reason reason) {
        ProvisioningRefusal r = TpmAttestor.refusal("reg-1", new TpmAttestationException(reason, "the rule that failed"));
        assertThat(r.code()).isEqualTo("tpm-" + reason.name().toLowerCase().replace('_', '-'));
        assertThat(r.httpStatus()).isEqualTo(reason == Reason.MALFORMED ? 400 : 401);
        assertThat(r.message()).contains("reg-1", reason.name(), "the rule that failed");
    }

    @Test
    void storedChallenge_decodesToTheSameRecord() throws Exception {
        TpmAttestation attestation = new TpmAttestation(Optional.empty(), Clock.systemUTC(), Duration.ofMinutes(5), new SecureRandom());
        TpmChallenge c = attestation.challenge(TpmEndorsement.ofPublic(swtpm("ek.pub")), swtpm("ak.pub"));
        assertThat(TpmAttestor.decode(TpmAttestor.encode(c))).isEqualTo(c);
    }

    @Test
    void parse_tellsAChallengeRequestFromAnActivation() throws Exception {
        String ek = b64(swtpm("ek.pub"));
        String ak = b64(swtpm("ak.pub"));
        TpmAttestor.Member request = TpmAttestor.parse("{\"endorsementKey\":\"" + ek + "\",\"attestationKey\":\"" + ak + "\"}");
        assertThat(request.activation()).isEmpty();
        assertThat(request.endorsementKey()).isPresent();

        TpmAttestor.Member activation = TpmAttestor.parse("{\"endorsementKey\":\"" + ek + "\",\"attestationKey\":\"" + ak
                + "\",\"challengeId\":\"00112233445566778899aabbccddeeff\",\"activatedSecret\":\"AQ==\",\"keyPublic\":\"Ag==\",\"certifyInfo\":\"Aw==\",\"certifySignature\":\"BA==\"}");
        assertThat(activation.activation()).isPresent();
        assertThat(activation.activation().get().keyPublic().toArray()).containsExactly(2);
    }

    @Test
    void parse_refusesMissingKeysHalfActivationsAndBadBase64AsMalformed() {
        for (String bad : new String[]{"{}", "{\"endorsementKey\":\"AQ==\"}", "{\"attestationKey\":\"AQ==\"}",
                "{\"endorsementKey\":\"AQ==\",\"attestationKey\":\"AQ==\",\"activatedSecret\":\"AQ==\"}",
                "{\"endorsementKey\":\"AQ==\",\"attestationKey\":\"AQ==\",\"challengeId\":\"../etc\"}",
                "{\"endorsementKey\":\"%%%\",\"attestationKey\":\"AQ==\"}", "{\"endorsementKey\":1,\"attestationKey\":\"AQ==\"}"}) {
            assertThatThrownBy(() -> TpmAttestor.parse(bad)).as(bad).isInstanceOfSatisfying(ProvisioningRefusedException.class, e -> {
                assertThat(e.refusal().code()).isEqualTo("malformed-tpm");
                assertThat(e.refusal().httpStatus()).isEqualTo(400);
            });
        }
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    private static byte[] swtpm(String name) throws IOException {
        try (InputStream in = TpmAttestorTest.class.getResourceAsStream("/tpm/swtpm/" + name)) {
            if (in == null) throw new IllegalStateException("missing fixture tpm/swtpm/" + name);
            return in.readAllBytes();
        }
    }
}
