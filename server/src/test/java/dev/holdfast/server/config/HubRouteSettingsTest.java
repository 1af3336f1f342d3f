package dev.holdfast.server.config;

import dev.holdfast.hub.routing.Route;
import dev.holdfast.hub.routing.RouteEndpoint;
import dev.holdfast.testing.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** hub.routes: a list of mappings, every error reported with its path. */
class HubRouteSettingsTest {
    @TempDir
    Path dir;

    private HoldfastConfig load(String yaml, Map<String, String> env) throws ConfigException {
        return new ConfigLoader().parse(yaml, "holdfast.yaml", env);
    }

    @Test
    void routes_parseEveryEndpointWithDefaults() throws Exception {
        Path ca = TestCertificates.writePem(dir.resolve("ca.pem"), TestCertificates.newRoot("Hook Root").certificate());
        HoldfastConfig c = load("""
                hub:
                  routes:
                    - name: all
                      endpoint: store
                    - name: hot
                      condition: "message.properties.alarm == 'high' && body.t > 30"
                      endpoint: file
                      path: /var/lib/holdfast/hot.jsonl
                      maxBytes: 1048576
                    - name: soar
                      condition: "message.properties.alarm == 'high'"
                      endpoint: webhook
                      url: https://soar.example.net/telemetry
                      tls: {caFile: %s}
                      backoff: {initial: 500ms, max: 1m}
                """.formatted(ca), Map.of());
        List<Route> routes = c.get(Settings.HUB_ROUTES);
        assertThat(routes).extracting(Route::name).containsExactly("all", "hot", "soar");
        assertThat(routes.get(0).condition().toString()).isEqualTo("true");
        assertThat(((RouteEndpoint.JsonLines) routes.get(1).endpoint()).keep()).isEqualTo(10);
        RouteEndpoint.Webhook hook = (RouteEndpoint.Webhook) routes.get(2).endpoint();
        assertThat(hook.trustedRoots()).hasSize(1);
        assertThat(hook.initialBackoff()).isEqualTo(Duration.ofMillis(500));
        assertThat(hook.timeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void invalidRoutes_areRefusedWithThePathOfEachError() {
        assertThatThrownBy(() -> load("""
                hub:
                  routes:
                    - name: ok
                      endpoint: store
                    - name: broken
                      condition: "message.properties.alarm =="
                      endpoint: store
                    - name: plain
                      endpoint: webhook
                      url: http://plain.example.net/
                    - name: tiny
                      endpoint: file
                      path: /tmp/x.jsonl
                      maxBytes: 10
                    - name: what
                      endpoint: carrier-pigeon
                      conditon: "true"
                    - name: nonbool
                      condition: "body.t + 1"
                      endpoint: store
                """, Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors().stream().map(ConfigError::toString).toList())
                        .anySatisfy(m -> assertThat(m).startsWith("hub.routes[1].condition: does not compile"))
                        .anySatisfy(m -> assertThat(m).startsWith("hub.routes[2].url: 'http://plain.example.net/' is not an https URL"))
                        .anySatisfy(m -> assertThat(m).startsWith("hub.routes[3].maxBytes: 10"))
                        .anySatisfy(m -> assertThat(m).startsWith("hub.routes[4].endpoint: \"carrier-pigeon\" is not one of [store, file, webhook]"))
                        .anySatisfy(m -> assertThat(m).startsWith("hub.routes[4].conditon: unknown field (did you mean condition?)"))
                        .anySatisfy(m -> assertThat(m).startsWith("hub.routes[5].condition: does not compile"))
                        .noneSatisfy(m -> assertThat(m).startsWith("hub.routes[0]")));
    }

    @Test
    void duplicateRouteNames_areRefused() {
        assertThatThrownBy(() -> load("""
                hub.routes:
                  - {name: a, endpoint: store}
                  - {name: a, endpoint: store}
                """, Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("hub.routes: name 'a' is used twice");
    }

    @Test
    void routes_canComeFromTheEnvironmentAsJson() throws Exception {
        HoldfastConfig c = load("", Map.of("HOLDFAST_HUB_ROUTES",
                "[{\"name\":\"f\",\"endpoint\":\"file\",\"path\":\"/tmp/f.jsonl\",\"condition\":\"message.deviceId == 'd1'\"}]"));
        assertThat(c.get(Settings.HUB_ROUTES)).singleElement().satisfies(r -> assertThat(r.endpoint()).isInstanceOf(RouteEndpoint.JsonLines.class));
    }
}
