package dev.holdfast.events.alert;

import dev.holdfast.events.EventClass;
import dev.holdfast.events.SecurityEvent;
import dev.holdfast.events.Severity;
import dev.holdfast.testing.FakeClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Scripted sequences, each with the findings it must and must not produce. */
class AlertEngineTest {
    private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
    private final List<SecurityEvent> findings = new ArrayList<>();

    private static final AlertRule.Threshold AUTH_FAILURES = new AlertRule.Threshold("auth-failures",
            EventCondition.compile("event.class == 'AUTHENTICATION' && event.outcome == 'FAILURE'"),
            List.of("device"), 5, Duration.ofMinutes(1), Severity.HIGH);

    private static SecurityEvent authFailure(String device, int secondsAfterStart) {
        return SecurityEvent.builder(EventClass.AUTHENTICATION, "mqtt.connect.refused").outcome(SecurityEvent.Outcome.FAILURE)
                .device(device).time(T0.plusSeconds(secondsAfterStart)).build();
    }

    private AlertEngine engine(AlertRule... rules) {
        return new AlertEngine(List.of(rules), findings::add, new InMemoryNetworks(), new FakeClock(T0));
    }

    @Test
    void threshold_firesOnFifthFailureWithinTheWindowForOneDevice() {
        AlertEngine engine = engine(AUTH_FAILURES);
        for (int i = 0; i < 4; i++) engine.accept(authFailure("d1", i * 10));
        assertThat(findings).isEmpty();
        engine.accept(authFailure("d1", 45));
        assertThat(findings).hasSize(1);
        SecurityEvent f = findings.get(0);
        assertThat(f.eventClass()).isEqualTo(EventClass.DETECTION_FINDING);
        assertThat(f.activity()).isEqualTo("alert.auth-failures");
        assertThat(f.severity()).isEqualTo(Severity.HIGH);
        assertThat(f.deviceId()).contains("d1");
        assertThat(f.details()).containsEntry("group", "device=d1").containsEntry("count", "5");
        // The count restarts after firing: four more do not fire again.
        for (int i = 0; i < 4; i++) engine.accept(authFailure("d1", 50 + i));
        assertThat(findings).hasSize(1);
    }

    @Test
    void threshold_doesNotFireWhenFailuresAreSpreadBeyondTheWindow() {
        AlertEngine engine = engine(AUTH_FAILURES);
        for (int i = 0; i < 20; i++) engine.accept(authFailure("d1", i * 20)); // 3 per minute at most
        assertThat(findings).isEmpty();
    }

    @Test
    void threshold_countsEachDeviceApartAndIgnoresSuccesses() {
        AlertEngine engine = engine(AUTH_FAILURES);
        for (int i = 0; i < 4; i++) {
            engine.accept(authFailure("d1", i));
            engine.accept(authFailure("d2", i));
            engine.accept(SecurityEvent.builder(EventClass.AUTHENTICATION, "mqtt.connect").device("d1").time(T0.plusSeconds(i)).build());
        }
        assertThat(findings).isEmpty();
        engine.accept(authFailure("d2", 5));
        assertThat(findings).singleElement().satisfies(f -> assertThat(f.deviceId()).contains("d2"));
    }

    @Test
    void threshold_groupsBySourceAddressDetail() {
        AlertRule.Threshold bySource = new AlertRule.Threshold("source-failures",
                EventCondition.compile("event.outcome == 'FAILURE' && 'sourceAddress' in event.details"),
                List.of("details.sourceAddress"), 3, Duration.ofSeconds(30), Severity.MEDIUM);
        AlertEngine engine = engine(bySource);
        for (int i = 0; i < 3; i++) {
            engine.accept(SecurityEvent.builder(EventClass.AUTHENTICATION, "est.enroll.refused").outcome(SecurityEvent.Outcome.FAILURE)
                    .device("dev-" + i).detail("sourceAddress", "192.0.2.7").time(T0.plusSeconds(i)).build());
        }
        assertThat(findings).singleElement().satisfies(f -> assertThat(f.details()).containsEntry("group", "details.sourceAddress=192.0.2.7"));
    }

    @Test
    void engine_ignoresItsOwnFindings() {
        AlertRule.Threshold any = new AlertRule.Threshold("any", EventCondition.always(), List.of(), 1, Duration.ofSeconds(1), Severity.LOW);
        AlertEngine engine = new AlertEngine(List.of(any), e -> {
            findings.add(e);
        }, new InMemoryNetworks(), new FakeClock(T0));
        engine.accept(authFailure("d1", 0));
        engine.accept(findings.get(0)); // fed back, as the log would
        assertThat(findings).hasSize(1);
    }

    @Test
    void newNetwork_learnsTheFirstNetworkSilentlyAndFiresOnAnother() {
        AlertRule.NewNetwork rule = new AlertRule.NewNetwork("new-network",
                EventCondition.compile("event.activity == 'mqtt.connect' && event.outcome == 'SUCCESS'"), "sourceAddress", 24, 64, Severity.MEDIUM);
        AlertEngine engine = engine(rule);
        engine.accept(connect("d1", "10.1.2.3"));
        engine.accept(connect("d1", "10.1.2.200:51515")); // same /24, with a port
        engine.accept(connect("d2", "10.9.9.9"));          // another device's first network
        assertThat(findings).isEmpty();
        engine.accept(connect("d1", "198.51.100.4"));
        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.deviceId()).contains("d1");
            assertThat(f.details()).containsEntry("network", "198.51.100.0/24");
        });
        engine.accept(connect("d1", "198.51.100.99")); // now known
        engine.accept(connect("d1", "2001:db8::1"));
        engine.accept(connect("d1", "[2001:db8::2]:8883")); // same /64
        assertThat(findings).hasSize(2);
        assertThat(findings.get(1).details()).containsEntry("network", "2001:db8:0:0:0:0:0:0/64");
        engine.accept(connect("d1", "not-an-address.example")); // never resolved, never fires
        assertThat(findings).hasSize(2);
    }

    private static SecurityEvent connect(String device, String address) {
        return SecurityEvent.builder(EventClass.AUTHENTICATION, "mqtt.connect").device(device).detail("sourceAddress", address).time(T0).build();
    }

    @Test
    void certificateExpiry_firesOncePerCertificateWithinTheWindowOnly() {
        AlertEngine engine = engine(new AlertRule.CertificateExpiry("cert-expiry", Duration.ofDays(14), Severity.MEDIUM));
        List<ExpiringCertificate> certs = List.of(
                new ExpiringCertificate("0a", "CN=d1", Optional.of("d1"), T0.plus(Duration.ofDays(3))),
                new ExpiringCertificate("0b", "CN=d2", Optional.of("d2"), T0.plus(Duration.ofDays(30))));
        assertThat(engine.checkCertificates(certs)).isEqualTo(1);
        assertThat(engine.checkCertificates(certs)).isZero();
        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.deviceId()).contains("d1");
            assertThat(f.message()).contains("expires in 3 days");
        });
    }

    @Test
    void condition_refusesExpressionsThatDoNotCompileOrAreNotBoolean() {
        assertThatThrownBy(() -> EventCondition.compile("event.class ==")).hasMessageContaining("does not compile");
        assertThatThrownBy(() -> EventCondition.compile("event.severity + 1")).hasMessageContaining("does not compile");
        assertThatThrownBy(() -> EventCondition.compile("unknown_var")).hasMessageContaining("does not compile");
        assertThat(EventCondition.compile("event.details['missing'] == 'x'").test(authFailure("d", 0))).isFalse();
        assertThat(EventCondition.compile("event.severity >= 1 && event.class_uid == 3002").test(authFailure("d", 0))).isTrue();
    }

    static final class InMemoryNetworks implements NetworkMemory {
        private final Set<String> seen = new HashSet<>();
        private final Set<String> devices = new HashSet<>();

        @Override
        public Sighting remember(String rule, String device, String network) {
            if (!seen.add(rule + "|" + device + "|" + network)) return Sighting.KNOWN_NETWORK;
            return devices.add(rule + "|" + device) ? Sighting.FIRST_NETWORK : Sighting.NEW_NETWORK;
        }
    }
}
