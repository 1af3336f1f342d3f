package dev.holdfast.provisioning;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * DPS over MQTT, without the MQTT: what the hub's DPS hook calls with the CONNECT username and each
 * PUBLISH, and the replies to publish back. The hub owns the socket, TLS (the client certificate
 * chain becomes {@link AttestationEvidence.X509}) and subscriptions; this class owns the topics and
 * bodies of PROTOCOLS.md.
 *
 * <ul>
 *   <li>Username {@code {idScope}/registrations/{registrationId}/api-version=...&ClientVersion=...}.</li>
 *   <li>Device subscribes {@link #RESPONSE_FILTER}.</li>
 *   <li>{@code $dps/registrations/PUT/iotdps-register/?$rid={rid}} → {@code $dps/registrations/res/202/?$rid={rid}&retry-after={s}}
 *       with {@code {"operationId","status":"assigning"}}.</li>
 *   <li>{@code $dps/registrations/GET/iotdps-get-operationstatus/?$rid={rid}&operationId={op}} →
 *       {@code $dps/registrations/res/200/?$rid={rid}} with the operation and its registration state.</li>
 *   <li>Refusals → {@code $dps/registrations/res/{status}/?$rid={rid}} with Azure's error body.</li>
 * </ul>
 */
public final class DpsMqttMessages {
    public static final String RESPONSE_FILTER = "$dps/registrations/res/#";
    static final String REGISTER_PREFIX = "$dps/registrations/PUT/iotdps-register/";
    static final String STATUS_PREFIX = "$dps/registrations/GET/iotdps-get-operationstatus/";
    static final String RESPONSE_PREFIX = "$dps/registrations/res/";
    private static final int MAX_RID = 64;

    private final RegistrationService service;

    public DpsMqttMessages(RegistrationService service) {
        this.service = service;
    }

    /** Who a DPS connection says it is, from its CONNECT username. */
    public record DpsSession(String idScope, String registrationId, AttestationEvidence evidence, String source) {
    }

    /** The parts of a DPS username; empty when the username is not one (then it is a hub connection). */
    public static Optional<DpsUsername> parseUsername(String username) {
        if (username == null || username.length() > 512) return Optional.empty();
        String[] parts = username.split("/", 4);
        if (parts.length < 3 || !parts[1].equals("registrations")) return Optional.empty();
        if (parts[0].isEmpty() || parts[0].length() > 64 || !Ids.isRegistrationId(parts[2])) return Optional.empty();
        Map<String, String> params = parts.length == 4 ? query(parts[3]) : Map.of();
        if (!params.containsKey("api-version")) return Optional.empty();
        return Optional.of(new DpsUsername(parts[0], parts[2], params.get("api-version")));
    }

    public record DpsUsername(String idScope, String registrationId, String apiVersion) {
    }

    /** What to do with one PUBLISH from a DPS client. */
    public sealed interface Outcome {
        /** Publish {@code body} to {@code topic} (QoS as the hub's DPS responses use). */
        record Reply(String topic, byte[] body) implements Outcome {
        }

        /** Not a DPS request topic: a protocol violation, the hub closes the connection. */
        record Reject(String reason) implements Outcome {
        }
    }

    /** Handles one PUBLISH; never throws for any topic or payload. */
    public Outcome onPublish(DpsSession session, String topic, byte[] payload) {
        if (topic == null) return new Outcome.Reject("no topic");
        boolean register = topic.startsWith(REGISTER_PREFIX);
        boolean status = topic.startsWith(STATUS_PREFIX);
        if (!register && !status) return new Outcome.Reject("topic '" + Ids.excerpt(topic) + "' is not a DPS request topic");
        String rest = topic.substring(register ? REGISTER_PREFIX.length() : STATUS_PREFIX.length());
        if (!rest.startsWith("?")) return new Outcome.Reject("DPS topic without '?$rid=' parameters");
        Map<String, String> params = query(rest.substring(1));
        String rid = params.get("$rid");
        if (rid == null || rid.isEmpty() || rid.length() > MAX_RID || !rid.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '&' && c != '/')) {
            return new Outcome.Reject("DPS topic without a valid $rid");
        }
        try {
            if (register) {
                RegistrationOperation op = service.register(session.idScope(), session.registrationId(), payload == null ? new byte[0] : payload,
                        session.evidence(), session.source());
                RegistrationOperation first = op.asAssigning();
                return new Outcome.Reply(RESPONSE_PREFIX + "202/?$rid=" + rid + "&retry-after=" + service.retryAfterSeconds(), DpsJson.operation(first));
            }
            String operationId = params.get("operationId");
            if (operationId == null || operationId.isEmpty()) {
                ProvisioningRefusal r = ProvisioningRefusal.malformed("no-operation-id", "iotdps-get-operationstatus needs the operationId parameter");
                return error(rid, r);
            }
            RegistrationOperation op = service.operationStatus(session.idScope(), session.registrationId(), operationId, session.evidence(), session.source());
            if (op.status() == RegistrationStatus.ASSIGNING) {
                return new Outcome.Reply(RESPONSE_PREFIX + "202/?$rid=" + rid + "&retry-after=" + service.retryAfterSeconds(), DpsJson.operation(op));
            }
            return new Outcome.Reply(RESPONSE_PREFIX + "200/?$rid=" + rid, DpsJson.operation(op));
        } catch (ProvisioningRefusedException e) {
            return error(rid, e.refusal());
        }
    }

    private static Outcome error(String rid, ProvisioningRefusal r) {
        String topic = RESPONSE_PREFIX + r.httpStatus() + "/?$rid=" + rid;
        if (r.httpStatus() == 429) topic += "&retry-after=" + 5;
        return new Outcome.Reply(topic, DpsJson.error(r, DpsJson.newTrackingId()));
    }

    static Map<String, String> query(String q) {
        Map<String, String> out = new LinkedHashMap<>();
        int count = 0;
        for (String pair : q.split("&")) {
            if (pair.isEmpty() || ++count > 16) continue;
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            out.putIfAbsent(decode(k), decode(v));
        }
        return out;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }
}
