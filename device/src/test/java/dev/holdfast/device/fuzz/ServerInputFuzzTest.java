package dev.holdfast.device.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.holdfast.device.EstClient;
import dev.holdfast.device.MalformedMessageException;
import dev.holdfast.device.hub.HubTopic;
import dev.holdfast.device.hub.PropertyBag;
import dev.holdfast.device.hub.Twin;
import dev.holdfast.device.provisioning.DpsMessages;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;

/**
 * Everything the device SDK parses from the server: hub topics and property bags, twin documents
 * and desired patches, DPS operation bodies and reply topics, EST certs-only replies. Invariant:
 * each parser returns or throws {@link MalformedMessageException}; any other exception is a finding.
 */
class ServerInputFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void hubTopic_parsesOrRefuses(byte[] input) {
        String topic = new String(input, StandardCharsets.UTF_8);
        try {
            HubTopic t = HubTopic.parse("dev-1", topic);
            assertThat(t).isNotNull();
        } catch (MalformedMessageException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
        try {
            var decoded = PropertyBag.decode(topic);
            // What decodes re-encodes to a bag that decodes to the same map.
            assertThat(PropertyBag.decode(PropertyBag.encode(decoded))).isEqualTo(decoded);
        } catch (MalformedMessageException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @FuzzTest(maxDuration = "30s")
    void twinDocuments_parseOrRefuse(byte[] input) {
        try {
            Twin t = Twin.parse(input);
            assertThat(t.desired()).isNotNull();
        } catch (MalformedMessageException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
        try {
            Twin.DesiredUpdate.parse(input, OptionalLong.empty());
        } catch (MalformedMessageException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @FuzzTest(maxDuration = "30s")
    void dpsReplies_parseOrRefuse(byte[] input) {
        try {
            DpsMessages.Operation op = DpsMessages.operation(input);
            if (op.result().isPresent() && op.result().get().assigned()) {
                assertThat(op.result().get().deviceId()).isNotEmpty();
                assertThat(op.result().get().assignedHub()).isNotEmpty();
            }
        } catch (MalformedMessageException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
        DpsMessages.error(input); // never throws
        try {
            DpsMessages.replyTopic(new String(input, StandardCharsets.UTF_8));
        } catch (MalformedMessageException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @FuzzTest(maxDuration = "30s")
    void estReplies_parseOrRefuse(byte[] input) {
        try {
            assertThat(EstClient.parseCertsOnly(input)).isNotEmpty();
        } catch (MalformedMessageException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }
}
