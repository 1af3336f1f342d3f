package dev.holdfast.server.cli;

import dev.holdfast.hub.routing.Route;
import dev.holdfast.hub.routing.RouteCondition;
import dev.holdfast.hub.routing.RouteEndpoint;
import dev.holdfast.server.HoldfastServer;
import dev.holdfast.server.TestServers;
import dev.holdfast.server.config.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** hub.routes reaches the running hub: the server opens the file route and lists its routes. */
class HubRoutesCliIT {
    @TempDir
    Path dir;

    @Test
    void configuredRoutes_areTheHubsRoutes_andListedByTheCli() {
        Path data = dir.resolve("data");
        Path file = dir.resolve("routes/hot.jsonl");
        List<Route> routes = List.of(new Route("all", RouteCondition.always(), new RouteEndpoint.Store()),
                new Route("hot", RouteCondition.compile("message.properties.alarm == 'high'"), new RouteEndpoint.JsonLines(file, 1 << 20, 3)));
        try (HoldfastServer server = TestServers.start(data, TestServers.loopbackConfig(TestServers.freePort()).with(Settings.HUB_ROUTES, routes))) {
            assertThat(server.hub().orElseThrow().hub().router().routes()).extracting(Route::name).containsExactly("all", "hot");
            assertThat(Files.exists(file)).as("the file route's file is opened at start").isTrue();
            CliRun listed = CliRun.of("hub", "routes", "--server", "https://127.0.0.1:" + server.httpsPort(), "--data-dir", data.toString());
            assertThat(listed.exit()).as(listed.err()).isZero();
            assertThat(listed.out().lines().toList()).containsExactly(
                    "all  store  matched=0 delivered=0 failed=0  if true",
                    "hot  file " + file + "  matched=0 delivered=0 failed=0  if message.properties.alarm == 'high'");
        }
    }
}
