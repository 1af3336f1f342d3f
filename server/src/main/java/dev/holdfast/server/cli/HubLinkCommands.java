package dev.holdfast.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code holdfast hub link|unlink|list}: the hubs provisioning assigns devices to. The verbs are
 * subcommands of the {@code hub} noun ({@link HubCommand}), beside the hub's session commands.
 */
public final class HubLinkCommands {
    private HubLinkCommands() {
    }

    @Command(name = "link", mixinStandardHelpOptions = true, description = "Links a hub (or updates a linked one).")
    public static final class Link implements Runnable {
        @Mixin
        AdminOptions admin;

        @Parameters(paramLabel = "NAME", description = "The hub's name, as enrollments name it.") String name;
        @Option(names = "--host", required = true, description = "Host name devices connect to (must contain a dot).") String host;
        @Option(names = "--weight", defaultValue = "1", description = "Share of hashed allocations, 1..1000 (default ${DEFAULT-VALUE}).") int weight;
        @Option(names = "--region", defaultValue = "", description = "Region, for lowest-latency allocation.") String region;
        @Option(names = "--disabled", description = "Link it disabled (no new assignments).") boolean disabled;

        @Override
        public void run() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("hostName", host);
            body.put("weight", weight);
            body.put("region", region);
            body.put("enabled", !disabled);
            JsonNode h = admin.client().put("/api/v1/provisioning/hubs/" + name, body);
            System.out.println("linked hub " + h.path("name").asText() + " (" + h.path("hostName").asText() + ", weight " + h.path("weight").asInt()
                    + (h.path("enabled").asBoolean() ? "" : ", disabled") + ")");
        }
    }

    @Command(name = "unlink", mixinStandardHelpOptions = true, description = "Unlinks a hub; its devices keep their assignment until they re-provision.")
    public static final class Unlink implements Runnable {
        @Mixin
        AdminOptions admin;

        @Parameters(paramLabel = "NAME") String name;

        @Override
        public void run() {
            admin.client().delete("/api/v1/provisioning/hubs/" + name);
            System.out.println("unlinked hub " + name);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists linked hubs.")
    public static final class ListHubs implements Runnable {
        @Mixin
        AdminOptions admin;

        @Override
        public void run() {
            System.out.printf("%-20s %-40s %-7s %-12s %s%n", "NAME", "HOST", "WEIGHT", "REGION", "ENABLED");
            for (JsonNode h : admin.client().get("/api/v1/provisioning/hubs").path("hubs")) {
                System.out.printf("%-20s %-40s %-7d %-12s %s%n", h.path("name").asText(), h.path("hostName").asText(), h.path("weight").asInt(),
                        h.path("region").asText().isEmpty() ? "-" : h.path("region").asText(), h.path("enabled").asBoolean());
            }
        }
    }
}
