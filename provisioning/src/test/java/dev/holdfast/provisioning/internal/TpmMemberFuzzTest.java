package dev.holdfast.provisioning.internal;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.holdfast.pki.MalformedInputException;
import dev.holdfast.provisioning.ProvisioningRefusedException;
import dev.holdfast.provisioning.RegistrationRequest;

import java.util.Optional;

/**
 * The {@code tpm} member of a DPS registration body (docs/provisioning-tpm.md, "Over DPS HTTPS"),
 * from untrusted bytes through the body parser: a member whose activation is all there or absent, or a
 * 400 refusal {@code malformed-tpm} with a message; anything else is a finding. The TPM structures
 * inside are fuzzed by {@code TpmStructuresFuzzTest}.
 */
class TpmMemberFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void parse_returnsAMemberOrRefusesAsMalformed(byte[] body) {
        Optional<String> tpm;
        try {
            tpm = RegistrationRequest.parse(body).tpm();
        } catch (MalformedInputException notABody) {
            return;
        }
        if (tpm.isEmpty()) return;
        try {
            TpmAttestor.Member m = TpmAttestor.parse(tpm.get());
            if (m.endorsementKey().isEmpty() && m.ekCertificate().isEmpty()) throw new AssertionError("a member without an EK");
            if (m.activation().isPresent() != m.challengeId().isPresent()) throw new AssertionError("a half activation");
            m.endorsement();
        } catch (ProvisioningRefusedException e) {
            if (e.refusal().httpStatus() != 400 || !e.refusal().code().equals("malformed-tpm") || e.refusal().message().isEmpty()) {
                throw new AssertionError("unexpected refusal " + e.refusal(), e);
            }
        }
    }
}
