package dev.holdfast.provisioning.tpm;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.holdfast.pki.MalformedInputException;

/**
 * Fuzzes every parser of untrusted TPM bytes a device sends during attestation: TPM2B_PUBLIC,
 * TPMS_ATTEST, TPMT_SIGNATURE (and its verification) and the tpm2-tools credential file. The
 * invariant is the house rule: return a value or throw {@link MalformedInputException} with a
 * reason and an offset inside the input; anything else that escapes is a finding.
 *
 * <p>Saved inputs (real swtpm structures) under {@code TpmStructuresFuzzTestInputs/} replay in every
 * build; see docs/fuzzing.md for a real run.
 */
class TpmStructuresFuzzTest {
    private static final TpmPublic AK;
    private static final TpmAttest ATTEST;

    static {
        try {
            AK = TpmStructures.parsePublic(Fixtures.swtpm("ak.pub"));
            ATTEST = TpmStructures.parseAttest(Fixtures.swtpm("certify-no-nonce.attest"));
        } catch (MalformedInputException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void parsePublic_returnsAKeyOrThrowsMalformedInput(byte[] input) {
        TpmPublic p;
        try {
            p = TpmStructures.parsePublic(input);
        } catch (MalformedInputException expected) {
            assertMalformed(expected, input);
            return;
        }
        // What parsed re-encodes to exactly the input, and has a name and a usable key.
        assertThat(p.toTpm2b()).isEqualTo(input);
        assertThat(p.name().length()).isEqualTo(2 + p.nameAlg().size());
        assertThat(p.publicKey().getEncoded()).isNotEmpty();
    }

    @FuzzTest(maxDuration = "30s")
    void parseAttest_returnsACertificationOrThrowsMalformedInput(byte[] input) {
        TpmAttest a;
        try {
            a = TpmStructures.parseAttest(input);
        } catch (MalformedInputException expected) {
            assertMalformed(expected, input);
            return;
        }
        assertThat(a.encoded().toArray()).isEqualTo(input);
        assertThat(a.certifiedName().length()).isGreaterThanOrEqualTo(22);
    }

    @FuzzTest(maxDuration = "30s")
    void parseSignature_returnsASignatureOrThrowsMalformedInput_andVerifyNeverThrows(byte[] input) {
        TpmSignature s;
        try {
            s = TpmStructures.parseSignature(input);
        } catch (MalformedInputException expected) {
            assertMalformed(expected, input);
            return;
        }
        // Verification of an arbitrary parsed signature returns a boolean, whatever the scheme.
        boolean ok = TpmStructures.verify(AK, s, ATTEST.encoded().toArray());
        if (ok) assertThat(s).isInstanceOf(TpmSignature.Ecdsa.class);
    }

    @FuzzTest(maxDuration = "30s")
    void parseTpm2ToolsCredential_returnsACredentialOrThrowsMalformedInput(byte[] input) {
        MakeCredential.Result r;
        try {
            r = TpmStructures.parseTpm2ToolsCredential(input);
        } catch (MalformedInputException expected) {
            assertMalformed(expected, input);
            return;
        }
        assertThat(r.tpm2ToolsFile()).isEqualTo(input);
    }

    private static void assertMalformed(MalformedInputException e, byte[] input) {
        assertThat(e.reason()).isNotBlank();
        assertThat(e.offset()).isBetween(-1L, (long) Math.max(input == null ? 0 : input.length, TpmStructures.MAX_STRUCTURE_BYTES));
    }
}
