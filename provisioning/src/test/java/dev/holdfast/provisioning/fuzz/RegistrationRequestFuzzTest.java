package dev.holdfast.provisioning.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.holdfast.pki.MalformedInputException;
import dev.holdfast.provisioning.DpsMqttMessages;
import dev.holdfast.provisioning.RegistrationRequest;

/**
 * DPS registration bodies (HTTPS and MQTT) and DPS usernames from untrusted bytes: the parser returns a
 * request or throws {@link MalformedInputException}; anything else is a finding.
 */
class RegistrationRequestFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void parse_returnsARequestOrThrowsMalformedInput(byte[] body) {
        try {
            RegistrationRequest r = RegistrationRequest.parse(body);
            if (r.payload() == null) throw new AssertionError("payload must never be null");
            r.registrationId().ifPresent(id -> {
                if (id.isEmpty() || id.length() > 128) throw new AssertionError("registration id out of bounds: " + id.length());
            });
        } catch (MalformedInputException expected) {
            if (expected.reason() == null || expected.reason().isEmpty()) throw new AssertionError("a refusal must say why");
        }
    }

    @FuzzTest(maxDuration = "30s")
    void parseUsername_neverThrows(byte[] raw) {
        DpsMqttMessages.parseUsername(new String(raw, java.nio.charset.StandardCharsets.UTF_8));
    }
}
