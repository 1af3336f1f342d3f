package dev.holdfast.sensor.analysis;

import java.util.List;
import java.util.Map;

/** What an analysis produced: inventory, communication map, alerts and the counters of bad input. */
public record Report(List<AssetView> assets, List<Conversation> conversations, List<Alert> alerts, Map<String, Long> counters,
                     String ouiSource) {
    public Report {
        assets = List.copyOf(assets);
        conversations = List.copyOf(conversations);
        alerts = List.copyOf(alerts);
        counters = Map.copyOf(counters);
    }

    /** One asset of the inventory. */
    public record AssetView(String mac, String vendor, List<String> ips, List<String> names, List<String> protocolsServed,
                            List<String> protocolsUsed, String role, List<String> software, String dhcpFingerprint,
                            String dhcpVendorClass, String firstSeen, String lastSeen, long packets, long bytes) {
    }

    /** Flows aggregated by endpoints, transport, server port and application protocol. */
    public record Conversation(String client, String server, String transport, int serverPort, String application,
                               long flows, long packetsToServer, long packetsToClient, long bytesToServer, long bytesToClient,
                               String firstSeen, String lastSeen) {
    }
}
