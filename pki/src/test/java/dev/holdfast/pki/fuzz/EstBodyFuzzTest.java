package dev.holdfast.pki.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.holdfast.pki.MalformedInputException;
import dev.holdfast.pki.est.EstMessages;
import dev.holdfast.pki.internal.CsrValidator;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Fuzzes the EST simpleenroll body decoder (RFC 7030 §4.2.1, base64 DER PKCS#10, with the line
 * breaks and PEM armour real clients send).
 *
 * <p>Invariants: {@link EstMessages#decodeCsrBody} returns DER that {@link CsrValidator#parse}
 * accepts, or throws {@link MalformedInputException}; and wrapping DER in base64 or PEM, with any
 * line length and either line ending, never changes whether it decodes, nor what it decodes to.
 */
class EstBodyFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void decodeCsrBody_returnsAParseableCsrOrThrowsMalformedInput(byte[] body) {
        byte[] der;
        try {
            der = EstMessages.decodeCsrBody(body);
        } catch (MalformedInputException expected) {
            assertThat(expected.reason()).isNotBlank();
            return;
        }
        assertThatCode(() -> CsrValidator.parse(der)).doesNotThrowAnyException();
    }

    /**
     * Lets the fuzzer mutate the DER inside the transfer encoding, which it cannot do efficiently
     * through base64 text.
     */
    @FuzzTest(maxDuration = "30s")
    void decodeCsrBody_decodesExactlyTheDerItWraps(FuzzedDataProvider data) {
        boolean pem = data.consumeBoolean();
        boolean crlf = data.consumeBoolean();
        int lineLength = data.consumeInt(4, 128);
        byte[] der = data.consumeRemainingAsBytes();
        byte[] body = wrap(der, pem, crlf, lineLength);
        if (body.length > EstMessages.MAX_BODY_BYTES) return;

        boolean parses;
        try {
            CsrValidator.parse(der);
            parses = true;
        } catch (MalformedInputException e) {
            parses = false;
        }

        if (parses) {
            assertThatCode(() -> assertThat(EstMessages.decodeCsrBody(body)).isEqualTo(der)).doesNotThrowAnyException();
        } else {
            assertThatThrownBy(() -> EstMessages.decodeCsrBody(body)).isInstanceOf(MalformedInputException.class);
        }
    }

    private static byte[] wrap(byte[] der, boolean pem, boolean crlf, int lineLength) {
        String eol = crlf ? "\r\n" : "\n";
        String b64 = Base64.getEncoder().encodeToString(der);
        StringBuilder out = new StringBuilder();
        if (pem) out.append("-----BEGIN CERTIFICATE REQUEST-----").append(eol);
        for (int i = 0; i < b64.length(); i += lineLength) {
            out.append(b64, i, Math.min(b64.length(), i + lineLength)).append(eol);
        }
        if (pem) out.append("-----END CERTIFICATE REQUEST-----").append(eol);
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
