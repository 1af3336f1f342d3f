package dev.holdfast.server.config;

import dev.holdfast.events.EventClass;
import dev.holdfast.events.Severity;
import dev.holdfast.events.alert.AlertRule;
import dev.holdfast.server.events.ExporterConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** events.exporters and events.alertRules: lists of mappings, every error reported with its path. */
class EventSettingsTest {
    @TempDir
    Path dir;

    private HoldfastConfig load(String yaml, Map<String, String> env) throws ConfigException {
        return new ConfigLoader().parse(yaml, "holdfast.yaml", env);
    }

    @Test
    void exporters_parseEveryTypeWithDefaultsAndNestedKeys() throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
        Path secret = Files.writeString(dir.resolve("hook.secret"), "s");
        HoldfastConfig c = load("""
                events:
                  exporters:
                    - name: sentinel
                      type: syslog
                      host: siem.example.net
                      tls:
                        caFile: %s
                      classes: [authentication, detection_finding]
                      minSeverity: medium
                    - name: hook
                      type: webhook
                      url: https://soar.example.net/holdfast
                      secretFile: %s
                      backoff: {initial: 500ms, max: 1m}
                    - name: bus
                      type: kafka
                      bootstrapServers: kafka-1:9093
                      topic: security-events
                      properties:
                        security.protocol: SSL
                    - name: archive
                      type: file
                      path: /var/log/holdfast/events.jsonl
                      maxBytes: 1048576
                """.formatted(ca, secret), Map.of());
        List<ExporterConfig> exporters = c.get(Settings.EVENTS_EXPORTERS);
        assertThat(exporters).hasSize(4);
        ExporterConfig.Syslog syslog = (ExporterConfig.Syslog) exporters.get(0);
        assertThat(syslog.port()).isEqualTo(6514);
        assertThat(syslog.caFile()).contains(ca);
        assertThat(syslog.spec().classes()).isEqualTo(Set.of(EventClass.AUTHENTICATION, EventClass.DETECTION_FINDING));
        assertThat(syslog.spec().minSeverity()).isEqualTo(Severity.MEDIUM);
        ExporterConfig.Webhook hook = (ExporterConfig.Webhook) exporters.get(1);
        assertThat(hook.spec().initialBackoff()).isEqualTo(Duration.ofMillis(500));
        assertThat(hook.spec().maxBackoff()).isEqualTo(Duration.ofMinutes(1));
        assertThat(((ExporterConfig.Kafka) exporters.get(2)).properties()).containsEntry("security.protocol", "SSL");
        assertThat(((ExporterConfig.File) exporters.get(3)).keep()).isEqualTo(10);
    }

    @Test
    void invalidExporters_areRefusedWithThePathOfEachError() {
        assertThatThrownBy(() -> load("""
                events:
                  exporters:
                    - name: sentinel
                      type: syslog
                      port: 70000
                      facility: 30
                    - name: hook
                      type: webhook
                      url: http://plain.example.net/
                      secretEnv: my-secret-value
                    - name: sentinel
                      type: carrier-pigeon
                    - name: bus
                      type: kafka
                      topic: t
                      bootstrapServers: k:9092
                      batchSize: 0
                      minSeverty: high
                """, Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors().stream().map(ConfigError::toString).toList())
                        .anySatisfy(m -> assertThat(m).startsWith("events.exporters[0].host: required"))
                        .anySatisfy(m -> assertThat(m).startsWith("events.exporters[0].port: 70000 is not a TCP port"))
                        .anySatisfy(m -> assertThat(m).startsWith("events.exporters[0].facility: 30"))
                        .anySatisfy(m -> assertThat(m).startsWith("events.exporters[1].url: 'http://plain.example.net/' is not an https URL"))
                        .anySatisfy(m -> assertThat(m).startsWith("events.exporters[1].secretEnv: is not an environment variable name"))
                        .anySatisfy(m -> assertThat(m).startsWith("events.exporters[2].type: \"carrier-pigeon\" is not one of [syslog, webhook, kafka, file]"))
                        .anySatisfy(m -> assertThat(m).startsWith("events.exporters[3].batchSize: 0"))
                        .anySatisfy(m -> assertThat(m).startsWith("events.exporters[3].minSeverty: unknown field (did you mean minSeverity?)"))
                        .allSatisfy(m -> assertThat(m).doesNotContain("my-secret-value is")));
    }

    @Test
    void duplicateExporterNames_areRefused() {
        assertThatThrownBy(() -> load("""
                events.exporters:
                  - {name: a, type: file, path: /tmp/a.jsonl}
                  - {name: a, type: file, path: /tmp/b.jsonl}
                """, Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("events.exporters: name 'a' is used twice");
    }

    @Test
    void exporters_canComeFromTheEnvironmentAsJson() throws Exception {
        HoldfastConfig c = load("", Map.of("HOLDFAST_EVENTS_EXPORTERS", "[{\"name\":\"a\",\"type\":\"file\",\"path\":\"/tmp/a.jsonl\",\"backoff\":{\"max\":\"10s\"}}]"));
        assertThat(c.get(Settings.EVENTS_EXPORTERS)).singleElement().satisfies(e -> assertThat(e.spec().maxBackoff()).isEqualTo(Duration.ofSeconds(10)));
        assertThatThrownBy(() -> load("", Map.of("HOLDFAST_EVENTS_EXPORTERS", "{not json"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("events.exporters: is not a JSON array");
    }

    @Test
    void alertRules_compileTheirConditionsAndReportCelErrorsWithThePath() throws Exception {
        HoldfastConfig c = load("""
                events:
                  alertRules:
                    - name: auth-failures
                      type: threshold
                      condition: event.class == 'AUTHENTICATION' && event.outcome == 'FAILURE'
                      groupBy: [device]
                      count: 5
                      window: 1m
                      severity: high
                    - name: cert-expiry
                      type: certificateExpiry
                      within: 14d
                    - name: new-network
                      type: newNetwork
                """, Map.of());
        assertThat(c.get(Settings.EVENTS_ALERT_RULES)).hasSize(3).first().isInstanceOf(AlertRule.Threshold.class);
        assertThatThrownBy(() -> load("""
                events:
                  alertRules:
                    - name: broken
                      type: threshold
                      condition: event.class ==
                      count: 5
                      window: 1m
                    - name: Bad Name
                      type: certificateExpiry
                      within: 1d
                    - name: group
                      type: threshold
                      condition: "true"
                      groupBy: [colour]
                      count: 1
                      window: 1s
                """, Map.of())).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors().stream().map(ConfigError::toString).toList())
                        .anySatisfy(m -> assertThat(m).startsWith("events.alertRules[0].condition: condition does not compile"))
                        .anySatisfy(m -> assertThat(m).startsWith("events.alertRules[1].name: 'Bad Name'"))
                        .anySatisfy(m -> assertThat(m).startsWith("events.alertRules[2].groupBy: colour")));
    }

    @Test
    void aScalarListSetting_stillRefusesMappings() {
        assertThatThrownBy(() -> load("server.tls.subjectAltNames:\n  - {a: b}\n", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("server.tls.subjectAltNames: expected a list of");
    }
}
