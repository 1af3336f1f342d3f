package dev.holdfast.pki.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.holdfast.pki.MalformedInputException;
import dev.holdfast.pki.Refusal;
import dev.holdfast.pki.RefusedException;
import dev.holdfast.pki.internal.CsrValidator;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * Fuzzes the PKCS#10 parser (RFC 2986) that every enrollment path hands untrusted bytes to.
 *
 * <p>The invariant is the house rule for untrusted bytes: {@link CsrValidator#parse} returns a
 * request or throws {@link MalformedInputException}; {@link CsrValidator#validate} returns or refuses
 * with an {@code INVALID} refusal. Anything else that escapes (a runtime exception, an error) is a
 * finding, so the test deliberately catches nothing broader than those.
 *
 * <p>Saved inputs under {@code CsrParserFuzzTestInputs/} replay in every build; see
 * {@code docs/fuzzing.md} for a real fuzzing run.
 */
class CsrParserFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void parse_returnsARequestOrThrowsMalformedInput(byte[] input) {
        PKCS10CertificationRequest request;
        try {
            request = CsrValidator.parse(input);
        } catch (MalformedInputException expected) {
            assertThat(expected.reason()).isNotBlank();
            return;
        }
        assertThat(request.getSubject()).isNotNull();
        assertThat(request.getSubjectPublicKeyInfo()).isNotNull();
    }

    @FuzzTest(maxDuration = "30s")
    void validate_returnsOrRefusesAsInvalid(byte[] input) {
        CsrValidator.ValidatedCsr csr;
        try {
            csr = CsrValidator.validate(input);
        } catch (RefusedException expected) {
            assertThat(expected.refusal().kind()).isEqualTo(Refusal.Kind.INVALID);
            return;
        }
        assertThat(csr.keyDescription()).matches("EC P-256|EC P-384|Ed25519|RSA \\d{4}");
    }
}
