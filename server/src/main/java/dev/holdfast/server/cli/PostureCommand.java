package dev.holdfast.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code holdfast posture device ID|fleet|audit}: compliance, risk and recommendations. */
@Command(name = "posture", mixinStandardHelpOptions = true, description = "Device and fleet posture: compliance, risk, recommendations, audit.",
        subcommands = {PostureCommand.DeviceVerb.class, PostureCommand.Fleet.class, PostureCommand.Audit.class})
public final class PostureCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a verb is required: device, fleet or audit");
    }

    @Command(name = "device", mixinStandardHelpOptions = true, description = "Evaluates one device now and shows why.")
    static final class DeviceVerb implements Runnable {
        @Mixin
        AdminOptions admin;

        @Parameters(paramLabel = "ID") String id;
        @Option(names = "--json", description = "Print the server's JSON answer.") boolean json;

        @Override
        public void run() {
            JsonNode r = admin.client().get("/api/v1/posture/devices/" + DeviceCommand.segment(id));
            if (json) {
                System.out.println(r.toPrettyString());
                return;
            }
            System.out.printf("%s: %s, risk %.1f%s%n", id, r.path("compliance").asText(), r.path("risk").asDouble(),
                    r.has("firmware") ? ", firmware " + r.path("firmware").path("model").asText() + "@" + r.path("firmware").path("version").asText() : "");
            for (JsonNode reason : r.path("reasons")) System.out.println("  - " + reason.asText());
            if (!r.path("recommendations").isEmpty()) System.out.println("recommendations:");
            for (JsonNode rec : r.path("recommendations")) {
                System.out.printf("  %2d. %s (risk %.1f)%n", rec.path("rank").asInt(), rec.path("action").asText(), rec.path("risk").asDouble());
            }
            printFindings(r.path("findings"));
        }
    }

    @Command(name = "fleet", mixinStandardHelpOptions = true, description = "Evaluates every device now and summarises.")
    static final class Fleet implements Runnable {
        @Mixin
        AdminOptions admin;

        @Option(names = "--json", description = "Print the server's JSON answer.") boolean json;

        @Override
        public void run() {
            JsonNode r = admin.client().post("/api/v1/posture/fleet/evaluations", java.util.Map.of());
            if (json) {
                System.out.println(r.toPrettyString());
                return;
            }
            System.out.printf("%d devices: %d compliant, %d non-compliant, %d unknown; mean risk %.1f%n", r.path("devices").asLong(),
                    r.path("compliant").asLong(), r.path("nonCompliant").asLong(), r.path("unknown").asLong(), r.path("meanRisk").asDouble());
            for (JsonNode d : r.path("riskiest")) {
                System.out.printf("  %-32s %5.1f  %-14s %s%n", d.path("deviceId").asText(), d.path("risk").asDouble(), d.path("compliance").asText(),
                        d.path("topReason").asText(""));
            }
        }
    }

    @Command(name = "audit", mixinStandardHelpOptions = true, description = "Runs the fleet audit (shared certificates, weak keys, expiry, end of support ...).")
    static final class Audit implements Runnable {
        @Mixin
        AdminOptions admin;

        @Option(names = "--json", description = "Print the server's JSON answer.") boolean json;

        @Override
        public void run() {
            JsonNode r = admin.client().get("/api/v1/posture/audit");
            if (json) {
                System.out.println(r.toPrettyString());
                return;
            }
            System.out.printf("audited %d devices: %d findings%n", r.path("devicesAudited").asLong(), r.path("findings").size());
            for (JsonNode f : r.path("findings")) {
                System.out.printf("  [%s] %s: %s (%d)%n", f.path("severity").asText(), f.path("check").asText(), f.path("detail").asText(),
                        f.path("subjectCount").asInt());
            }
        }
    }

    static void printFindings(JsonNode findings) {
        if (findings.isEmpty()) return;
        System.out.println("vulnerabilities:");
        for (JsonNode f : findings) {
            System.out.printf("  %-22s %-48s %s%s%n", f.path("advisory").asText(), f.path("component").asText(),
                    f.has("cvss") ? "CVSS " + f.path("cvss").asText() : "unscored",
                    f.path("open").asBoolean() ? f.has("fixedVersion") ? ", fixed in " + f.path("fixedVersion").asText() : ""
                            : ", suppressed by VEX " + f.path("vex").path("state").asText() + f.path("vex").path("justification").asText(""));
        }
    }
}
