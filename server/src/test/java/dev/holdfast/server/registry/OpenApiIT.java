package dev.holdfast.server.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.server.HoldfastServer;
import dev.holdfast.server.TestServers;
import dev.holdfast.server.cli.AdminClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI document served at {@code /api/v1/openapi.json} describes exactly the admin routes the
 * running server has registered: every documented operation exists, and every registered route under
 * {@code /api/v1} is documented.
 */
class OpenApiIT {
    @TempDir
    Path dir;

    @Test
    void servedDocument_matchesTheRegisteredRoutes_inBothDirections() throws Exception {
        try (HoldfastServer server = TestServers.start(dir.resolve("data"))) {
            AdminClient client = AdminClient.connect(java.net.URI.create("https://127.0.0.1:" + server.httpsPort()), dir.resolve("data"), null, java.util.Map.of());
            JsonNode doc = new ObjectMapper().readTree(client.getBytes("/api/v1/openapi.json"));
            assertThat(doc.path("openapi").asText()).startsWith("3.");
            Set<String> served = new TreeSet<>();
            doc.path("paths").fields().forEachRemaining(p -> p.getValue().fieldNames().forEachRemaining(m -> served.add(m.toUpperCase() + " " + p.getKey())));
            assertThat(served).isEqualTo(server.openApi().documentedRoutes());

            Set<String> registered = server.openApi().registeredRoutes();
            assertThat(registered).contains("GET /api/v1/devices/{id}", "POST /api/v1/certificates", "DELETE /api/v1/tokens/{id}");
            Set<String> undocumented = new TreeSet<>(registered);
            undocumented.removeAll(served);
            Set<String> missing = new TreeSet<>(served);
            missing.removeAll(registered);
            assertThat(undocumented).as("registered but not in openapi.json").isEmpty();
            assertThat(missing).as("in openapi.json but not registered").isEmpty();

            // Every $ref resolves.
            String text = doc.toString();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"#/components/schemas/([A-Za-z]+)\"").matcher(text);
            while (m.find()) assertThat(doc.at("/components/schemas/" + m.group(1)).isMissingNode()).as(m.group(1)).isFalse();
        }
    }
}
