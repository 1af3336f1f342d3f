package dev.holdfast.provisioning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The DPS-over-MQTT topics and bodies of PROTOCOLS.md, with a registration service that records what it was asked. */
class DpsMqttMessagesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final AtomicReference<String> lastBody = new AtomicReference<>();
    private final RegistrationState state = new RegistrationState("meter-1", "meter-1", "hub-a.example.test", RegistrationStatus.ASSIGNED,
            Substatus.INITIAL_ASSIGNMENT, "group:meters", Instant.parse("2026-11-30T10:00:00Z"), Instant.parse("2026-11-30T10:00:01Z"), 3, "{}", List.of());
    private final RegistrationService service = new RegistrationService() {
        @Override
        public RegistrationOperation register(String idScope, String registrationId, byte[] body, AttestationEvidence evidence, String source) {
            lastBody.set(new String(body));
            if (registrationId.equals("throttled")) throw ProvisioningRefusal.throttled("too many").exception();
            return new RegistrationOperation("op-1", registrationId, RegistrationStatus.ASSIGNED, Optional.of(state), Optional.empty());
        }

        @Override
        public RegistrationOperation operationStatus(String idScope, String registrationId, String operationId, AttestationEvidence evidence, String source) {
            if (!operationId.equals("op-1")) throw ProvisioningRefusal.notFound("operation-not-found", "no operation " + operationId).exception();
            return new RegistrationOperation("op-1", registrationId, RegistrationStatus.ASSIGNED, Optional.of(state), Optional.empty());
        }

        @Override
        public int retryAfterSeconds() {
            return 3;
        }
    };
    private final DpsMqttMessages dps = new DpsMqttMessages(service);

    private DpsMqttMessages.DpsSession session(String id) {
        return new DpsMqttMessages.DpsSession("0ne00000001", id, new AttestationEvidence.None(), "127.0.0.1");
    }

    @Test
    void parseUsername_readsScopeAndRegistrationId_andRejectsHubUsernames() {
        assertThat(DpsMqttMessages.parseUsername("0ne00000001/registrations/meter-1/api-version=2019-03-31&ClientVersion=2.1.3"))
                .contains(new DpsMqttMessages.DpsUsername("0ne00000001", "meter-1", "2019-03-31"));
        assertThat(DpsMqttMessages.parseUsername("hub.example.test/meter-1/?api-version=2021-04-12")).isEmpty();
        assertThat(DpsMqttMessages.parseUsername("0ne00000001/registrations/meter-1/")).isEmpty();
        assertThat(DpsMqttMessages.parseUsername(null)).isEmpty();
    }

    @Test
    void register_answers202WithRetryAfterAndAssigning() throws Exception {
        var out = dps.onPublish(session("meter-1"), "$dps/registrations/PUT/iotdps-register/?$rid=42", "{\"registrationId\":\"meter-1\"}".getBytes());
        var reply = (DpsMqttMessages.Outcome.Reply) out;
        assertThat(reply.topic()).isEqualTo("$dps/registrations/res/202/?$rid=42&retry-after=3");
        JsonNode body = JSON.readTree(reply.body());
        assertThat(body.get("operationId").asText()).isEqualTo("op-1");
        assertThat(body.get("status").asText()).isEqualTo("assigning");
        assertThat(body.has("registrationState")).isFalse();
        assertThat(lastBody.get()).contains("meter-1");
    }

    @Test
    void operationStatus_answers200WithTheRegistrationState() throws Exception {
        var reply = (DpsMqttMessages.Outcome.Reply) dps.onPublish(session("meter-1"),
                "$dps/registrations/GET/iotdps-get-operationstatus/?$rid=43&operationId=op-1", new byte[0]);
        assertThat(reply.topic()).isEqualTo("$dps/registrations/res/200/?$rid=43");
        JsonNode s = JSON.readTree(reply.body()).get("registrationState");
        assertThat(s.get("assignedHub").asText()).isEqualTo("hub-a.example.test");
        assertThat(s.get("deviceId").asText()).isEqualTo("meter-1");
        assertThat(s.get("status").asText()).isEqualTo("assigned");
        assertThat(s.get("substatus").asText()).isEqualTo("initialAssignment");
        assertThat(s.get("etag").asText()).isEqualTo("\"3\"");
        assertThat(s.get("createdDateTimeUtc").asText()).isEqualTo("2026-11-30T10:00:00Z");
    }

    @Test
    void refusals_useTheStatusTopicAndAzureErrorBody() throws Exception {
        var unknown = (DpsMqttMessages.Outcome.Reply) dps.onPublish(session("meter-1"),
                "$dps/registrations/GET/iotdps-get-operationstatus/?$rid=44&operationId=nope", new byte[0]);
        assertThat(unknown.topic()).isEqualTo("$dps/registrations/res/404/?$rid=44");
        JsonNode err = JSON.readTree(unknown.body());
        assertThat(err.get("errorCode").asInt()).isEqualTo(404001);
        assertThat(err.get("trackingId").asText()).isNotEmpty();
        var throttled = (DpsMqttMessages.Outcome.Reply) dps.onPublish(session("throttled"), "$dps/registrations/PUT/iotdps-register/?$rid=45", new byte[0]);
        assertThat(throttled.topic()).startsWith("$dps/registrations/res/429/?$rid=45&retry-after=");
        var noOp = (DpsMqttMessages.Outcome.Reply) dps.onPublish(session("meter-1"), "$dps/registrations/GET/iotdps-get-operationstatus/?$rid=46", new byte[0]);
        assertThat(noOp.topic()).isEqualTo("$dps/registrations/res/400/?$rid=46");
    }

    @Test
    void topicsOutsideDps_orWithoutRid_areRejected() {
        assertThat(dps.onPublish(session("m"), "devices/m/messages/events/", new byte[0])).isInstanceOf(DpsMqttMessages.Outcome.Reject.class);
        assertThat(dps.onPublish(session("m"), "$dps/registrations/PUT/iotdps-register/", new byte[0])).isInstanceOf(DpsMqttMessages.Outcome.Reject.class);
        assertThat(dps.onPublish(session("m"), "$dps/registrations/PUT/iotdps-register/?foo=1", new byte[0])).isInstanceOf(DpsMqttMessages.Outcome.Reject.class);
        assertThat(dps.onPublish(session("m"), null, null)).isInstanceOf(DpsMqttMessages.Outcome.Reject.class);
    }
}
