package dev.holdfast.hub;

import dev.holdfast.hub.routing.Route;
import dev.holdfast.hub.routing.RouteCondition;
import dev.holdfast.hub.routing.RouteEndpoint;
import dev.holdfast.testing.ExternalTool;
import dev.holdfast.testing.ProcessRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Routing through the real hub: mosquitto_pub publishes at QoS 1 and exits only after its PUBACK, so
 * what the routes wrote must already be on disk and in the store when it returns.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HubRoutingIT {
    @TempDir
    static Path dir;
    HubFixture f;
    Path pub;
    Path file;

    @BeforeAll
    void start() {
        pub = ExternalTool.require("mosquitto_pub");
        file = dir.resolve("hot.jsonl");
        f = new HubFixture(dir, "127.0.0.1", 0, b -> b.routes(List.of(
                new Route("hot", RouteCondition.compile("message.properties.alarm == 'high' && body.t > 30"),
                        new RouteEndpoint.JsonLines(file, 1 << 20, 2)),
                new Route("warm", RouteCondition.compile("body.t > 20"), new RouteEndpoint.Store()))));
    }

    @AfterAll
    void stop() {
        if (f != null) f.close();
    }

    private ProcessRun publish(String id, String bag, String body) {
        List<String> cmd = new ArrayList<>(List.of(pub.toString(), "-h", "127.0.0.1", "-p", String.valueOf(f.port()), "--cafile", "ca.pem",
                "--cert", id + ".crt", "--key", id + ".key", "-i", id, "-u", f.username(id), "-V", "mqttv311", "-q", "1",
                "-t", "devices/" + id + "/messages/events/" + bag, "-m", body));
        return ProcessRun.run(dir, cmd, Map.of(), new byte[0], 30);
    }

    @Test
    void qos1Publish_isAcknowledgedOnlyAfterEveryMatchingRouteHasIt() throws Exception {
        String id = "routed-1";
        f.writePem(id, f.device(id));
        ProcessRun hot = publish(id, "alarm=high", "{\"t\": 35}");
        assertThat(hot.exitCode()).as(hot.output()).isZero();
        // No waiting: the PUBACK came after the line was forced to disk and the row committed.
        assertThat(Files.readAllLines(file)).singleElement().satisfies(l -> assertThat(l).contains("\"deviceId\":\"" + id + "\"", "\"t\":35"));
        assertThat(f.hub.telemetryStore().recent(id, 5)).hasSize(1);

        ProcessRun cool = publish(id, "alarm=high", "{\"t\": 25}");
        assertThat(cool.exitCode()).as(cool.output()).isZero();
        ProcessRun cold = publish(id, "alarm=low", "{\"t\": 5}");
        assertThat(cold.exitCode()).as(cold.output()).isZero();
        assertThat(Files.readAllLines(file)).hasSize(1);
        assertThat(f.hub.telemetryStore().recent(id, 5)).as("warm route: t > 20 only").hasSize(2);
        assertThat(f.hub.router().metrics("hot").matched()).isEqualTo(1);
        assertThat(f.hub.router().metrics("warm").delivered()).isEqualTo(2);
    }
}
