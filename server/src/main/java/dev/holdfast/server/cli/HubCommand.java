package dev.holdfast.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code holdfast hub sessions|kick|c2d|method|twin|telemetry}: the device hub over the REST API. Nouns
 * under {@code hub} keep clear of {@code holdfast device}, which manages the registry.
 */
@Command(name = "hub", mixinStandardHelpOptions = true, description = "Device hubs: linked hubs that provisioning assigns devices to; live sessions, cloud-to-device messages, direct methods, twins.",
        subcommands = {HubLinkCommands.Link.class, HubLinkCommands.Unlink.class, HubLinkCommands.ListHubs.class, HubCommand.Sessions.class, HubCommand.Kick.class, HubCommand.C2d.class, HubCommand.Method.class, HubCommand.TwinCmd.class,
                HubCommand.Telemetry.class, HubCommand.Routes.class})
public final class HubCommand implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a verb is required: sessions, kick, c2d, method, twin or telemetry");
    }

    static String hub(String id) {
        return "/api/v1/hub/devices/" + DeviceCommand.segment(id);
    }

    static JsonNode json(String option, String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw CliFailure.usage(option + ": not JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
    }

    @Command(name = "sessions", mixinStandardHelpOptions = true, description = "Lists the devices connected to the hub.")
    static final class Sessions implements Runnable {
        @Mixin
        AdminOptions admin;

        @Override
        public void run() {
            JsonNode page = admin.client().get("/api/v1/hub/sessions");
            System.out.printf("%-32s %-6s %-8s %-30s %-11s %-22s %s%n", "DEVICE", "MQTT", "TLS", "CIPHER", "SCOPE", "FROM", "SINCE");
            for (JsonNode s : page.path("items")) {
                System.out.printf("%-32s %-6s %-8s %-30s %-11s %-22s %s%n", s.path("deviceId").asText(), s.path("mqttVersion").asText(),
                        s.path("tlsProtocol").asText(), s.path("cipherSuite").asText(), s.path("scope").asText(), s.path("remoteAddress").asText(),
                        s.path("connectedAt").asText());
            }
        }
    }

    @Command(name = "kick", mixinStandardHelpOptions = true, description = "Ends a device's session (disable it in the registry to keep it out).")
    static final class Kick implements Runnable {
        @Mixin
        AdminOptions admin;

        @Parameters(paramLabel = "DEVICE_ID") String id;

        @Override
        public void run() {
            admin.client().delete("/api/v1/hub/sessions/" + DeviceCommand.segment(id));
            System.out.println("ended the session of " + id);
        }
    }

    @Command(name = "c2d", mixinStandardHelpOptions = true, description = "Cloud-to-device messages: send, status, list.",
            subcommands = {C2d.Send.class, C2d.Status.class, C2d.ListMessages.class})
    static final class C2d implements Runnable {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a verb is required: send, status or list");
        }

        @Command(name = "send", mixinStandardHelpOptions = true, description = "Queues a message; the device gets it now or when it next connects.")
        static final class Send implements Runnable {
            @Mixin
            AdminOptions admin;

            @Parameters(index = "0", paramLabel = "DEVICE_ID") String id;
            @Parameters(index = "1", paramLabel = "BODY", description = "The message body (text).") String body;
            @Option(names = {"-p", "--property"}, paramLabel = "K=V", description = "An application property (repeatable).") Map<String, String> properties;
            @Option(names = "--ttl", paramLabel = "DURATION", description = "How long it may wait, ISO-8601 (PT10M); default: the hub's.") String ttl;

            @Override
            public void run() {
                Map<String, Object> req = new LinkedHashMap<>();
                req.put("body", body);
                if (properties != null) req.put("properties", properties);
                if (ttl != null) req.put("ttl", ttl);
                JsonNode m = admin.client().post(hub(id) + "/messages", req);
                System.out.println("queued message " + m.path("messageId").asText() + " (" + m.path("status").asText() + ", expires "
                        + m.path("expiresAt").asText() + ")");
            }
        }

        @Command(name = "status", mixinStandardHelpOptions = true, description = "Shows where a message is: pending, delivered, completed or expired.")
        static final class Status implements Runnable {
            @Mixin
            AdminOptions admin;

            @Parameters(paramLabel = "MESSAGE_ID") String messageId;

            @Override
            public void run() {
                JsonNode m = admin.client().get("/api/v1/hub/messages/" + DeviceCommand.segment(messageId));
                m.fields().forEachRemaining(f -> System.out.printf("%-14s %s%n", f.getKey() + ":", f.getValue().isNull() ? "-"
                        : f.getValue().isValueNode() ? f.getValue().asText() : f.getValue().toString()));
            }
        }

        @Command(name = "list", mixinStandardHelpOptions = true, description = "A device's recent messages, newest first.")
        static final class ListMessages implements Runnable {
            @Mixin
            AdminOptions admin;

            @Parameters(paramLabel = "DEVICE_ID") String id;
            @Option(names = "--limit", defaultValue = "20") int limit;

            @Override
            public void run() {
                JsonNode page = admin.client().get(hub(id) + "/messages?limit=" + limit);
                System.out.printf("%-36s %-10s %-8s %s%n", "MESSAGE", "STATUS", "ATTEMPTS", "CREATED");
                for (JsonNode m : page.path("items")) {
                    System.out.printf("%-36s %-10s %-8s %s%n", m.path("messageId").asText(), m.path("status").asText(), m.path("attempts").asText(),
                            m.path("createdAt").asText());
                }
            }
        }
    }

    @Command(name = "method", mixinStandardHelpOptions = true, description = "Direct methods.", subcommands = {Method.Invoke.class})
    static final class Method implements Runnable {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a verb is required: invoke");
        }

        @Command(name = "invoke", mixinStandardHelpOptions = true, description = "Calls a method on a connected device and prints its answer.")
        static final class Invoke implements Runnable {
            @Mixin
            AdminOptions admin;

            @Parameters(index = "0", paramLabel = "DEVICE_ID") String id;
            @Parameters(index = "1", paramLabel = "METHOD") String method;
            @Option(names = "--payload", paramLabel = "JSON", defaultValue = "null", description = "The method's JSON body (default: null).") String payload;
            @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30", description = "1..300 (default: ${DEFAULT-VALUE}).") int timeout;

            @Override
            public void run() {
                Map<String, Object> req = new LinkedHashMap<>();
                req.put("payload", json("--payload", payload));
                req.put("timeoutSeconds", timeout);
                JsonNode r = admin.client().post(hub(id) + "/methods/" + DeviceCommand.segment(method), req);
                System.out.println("status " + r.path("status").asInt() + ": " + r.path("payload"));
            }
        }
    }

    @Command(name = "twin", mixinStandardHelpOptions = true, description = "Device twins.", subcommands = {TwinCmd.Desired.class})
    static final class TwinCmd implements Runnable {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a verb is required: desired");
        }

        @Command(name = "desired", mixinStandardHelpOptions = true,
                description = "Merges a JSON patch into the desired properties; a connected device receives it at once.")
        static final class Desired implements Runnable {
            @Mixin
            AdminOptions admin;

            @Parameters(index = "0", paramLabel = "DEVICE_ID") String id;
            @Parameters(index = "1", paramLabel = "JSON", description = "A JSON merge patch, e.g. '{\"interval\":30}' (null removes).") String patch;

            @Override
            public void run() {
                JsonNode p = json("JSON", patch);
                if (!p.isObject()) throw CliFailure.usage("JSON: not an object");
                JsonNode twin = admin.client().patch("/api/v1/devices/" + DeviceCommand.segment(id) + "/twin", Map.of("properties", Map.of("desired", p)));
                System.out.println("desired properties of " + id + " now at version " + twin.at("/properties/desired/$version").asText("?"));
            }
        }
    }

    @Command(name = "routes", mixinStandardHelpOptions = true, description = "The telemetry routes (hub.routes) and their counters since the server started.")
    static final class Routes implements Runnable {
        @Mixin
        AdminOptions admin;

        @Override
        public void run() {
            JsonNode page = admin.client().get("/api/v1/hub/routes");
            for (JsonNode r : page.path("items")) {
                System.out.println(r.path("name").asText() + "  " + r.path("endpoint").asText()
                        + (r.has("target") ? " " + r.path("target").asText() : "")
                        + "  matched=" + r.path("matched").asLong() + " delivered=" + r.path("delivered").asLong() + " failed=" + r.path("failed").asLong()
                        + "  if " + r.path("condition").asText());
            }
        }
    }

    @Command(name = "telemetry", mixinStandardHelpOptions = true, description = "A device's recent telemetry from the built-in store.")
    static final class Telemetry implements Runnable {
        @Mixin
        AdminOptions admin;

        @Parameters(paramLabel = "DEVICE_ID") String id;
        @Option(names = "--limit", defaultValue = "20") int limit;

        @Override
        public void run() {
            JsonNode page = admin.client().get(hub(id) + "/telemetry?limit=" + limit);
            for (JsonNode m : page.path("items")) {
                String body = new String(java.util.Base64.getDecoder().decode(m.path("bodyBase64").asText()), java.nio.charset.StandardCharsets.UTF_8);
                System.out.println(m.path("enqueuedAt").asText() + " " + m.path("properties") + " " + body);
            }
        }
    }
}
