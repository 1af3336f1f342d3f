package dev.holdfast.provisioning;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.pki.Bytes;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnrollmentAttestationTest {
    private static final byte[] EK = new byte[64];

    static {
        for (int i = 0; i < EK.length; i++) EK[i] = (byte) i;
    }

    @Test
    void tpmRegistrationId_isLowerCaseUnpaddedBase32OfSha256OfTheEkBlob() {
        // Expected value from Python: base64.b32encode(hashlib.sha256(bytes(range(64))).digest()).decode().lower().rstrip('=')
        assertThat(EnrollmentAttestation.Tpm.registrationId(Bytes.copyOf(EK))).isEqualTo("7xvltlhtoebwfpjgldg4tiu6r6ohk76ptaiwaoumir6ndwivceea");
    }

    @Test
    void tpmIndividualEnrollment_mustUseTheDerivedRegistrationId() {
        EnrollmentAttestation.Tpm tpm = new EnrollmentAttestation.Tpm(Bytes.copyOf(EK), Optional.empty());
        assertThatThrownBy(() -> new Enrollment.Individual("my-device", tpm, Optional.empty(), EnrollmentSettings.defaults(), Instant.now(), Instant.now(), 1))
                .isInstanceOf(ProvisioningRefusedException.class).hasMessageContaining("7xvltlhtoebwfpjgldg4tiu6r6ohk76ptaiwaoumir6ndwivceea");
        Enrollment.Individual e = EnrollmentJson.individualFrom(new ObjectMapper().createObjectNode().set("attestation",
                EnrollmentJson.attestation(tpm)), Instant.now());
        assertThat(e.registrationId()).isEqualTo("7xvltlhtoebwfpjgldg4tiu6r6ohk76ptaiwaoumir6ndwivceea");
        assertThat(EnrollmentJson.enrollment(e).path("attestation").path("type").asText()).isEqualTo("tpm");
    }

    @Test
    void settingsJson_roundTripsEveryMember() throws Exception {
        String json = "{\"enabled\":false,\"initialTwin\":{\"a\":1},\"initialTags\":{\"t\":\"x\"},\"model\":\"m\",\"gateway\":true,"
                + "\"allocation\":{\"type\":\"webhook\",\"url\":\"https://alloc.example.test/x\",\"timeout\":\"PT2S\",\"onFailure\":\"hashed\"},"
                + "\"linkedHubs\":[\"a\",\"b\"],\"reprovisionPolicy\":\"never\",\"profile\":\"gateway\",\"validity\":\"P10D\"}";
        EnrollmentSettings s = EnrollmentJson.settingsFrom(new ObjectMapper().readTree(json));
        assertThat(EnrollmentJson.settingsFrom(EnrollmentJson.settings(s))).isEqualTo(s);
        assertThat(s.allocation()).isInstanceOf(AllocationPolicy.Webhook.class);
        assertThatThrownBy(() -> EnrollmentJson.settingsFrom(new ObjectMapper().readTree("{\"allocation\":{\"type\":\"webhook\",\"url\":\"http://plain\"}}")))
                .hasMessageContaining("https://");
        assertThatThrownBy(() -> EnrollmentJson.settingsFrom(new ObjectMapper().readTree("{\"reprovisionPolicy\":\"sometimes\"}")))
                .hasMessageContaining("migrate, reset or never");
    }
}
