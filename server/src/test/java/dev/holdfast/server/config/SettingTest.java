package dev.holdfast.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingTest {

    @Test
    void build_derivesTheEnvironmentVariableAndSection() {
        Setting<Duration> setting = Setting.define("pki.crl.refreshInterval", SettingType.DURATION)
                .defaultValue(Duration.ofHours(1)).doc("Refresh.").build();
        assertThat(setting.envName()).isEqualTo("HOLDFAST_PKI_CRL_REFRESH_INTERVAL");
        assertThat(setting.section()).isEqualTo("pki");
        assertThat(setting.defaultDescription()).isEqualTo("1h");
    }

    @Test
    void build_refusesAKeyThatIsNotDottedCamelCase() {
        for (String key : new String[] {"port", "Server.port", "server.https_port", "server..port", "server.port.", "1.a"}) {
            assertThatThrownBy(() -> Setting.define(key, SettingType.INTEGER)).as(key).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("key: " + key + " (expected: dotted lowerCamelCase segments, at least two)");
        }
    }

    @Test
    void build_refusesADefaultOutsideItsLimits() {
        assertThatThrownBy(() -> Setting.define("a.port", SettingType.INTEGER).defaultValue(0).min(1).doc("Port.").build())
                .isInstanceOf(IllegalStateException.class).hasMessage("a.port: default [0 is below minimum 1]");
    }

    @Test
    void build_refusesASettingWithoutDefaultKindOrDoc() {
        assertThatThrownBy(() -> Setting.define("a.b", SettingType.STRING).doc("B.").build())
                .hasMessage("a.b: no default (expected: defaultValue, computedDefault, optional or required)");
        assertThatThrownBy(() -> Setting.define("a.b", SettingType.STRING).optional().build())
                .hasMessage("a.b: no doc (expected: a description)");
        assertThatThrownBy(() -> Setting.define("a.b", SettingType.STRING).optional().defaultValue("x"))
                .hasMessage("a.b: default already defined as OPTIONAL");
    }

    @Test
    void build_refusesLimitsOnUnorderedTypes() {
        assertThatThrownBy(() -> Setting.define("a.b", SettingType.STRING).min("a"))
                .hasMessage("a.b: min on unordered type string");
    }

    @Test
    void show_hidesSecrets() {
        Setting<Path> secret = Setting.define("a.pinFile", SettingType.SECRET_FILE).optional().doc("PIN.").build();
        assertThat(secret.show(Path.of("/run/secrets/pin"))).isEqualTo("****");
    }

    @Test
    void catalogue_refusesClashingKeys() {
        Setting<Integer> a = Setting.define("a.b", SettingType.INTEGER).defaultValue(1).doc("A.").build();
        Setting<Integer> sectionClash = Setting.define("a.b.c", SettingType.INTEGER).defaultValue(1).doc("C.").build();
        Setting<Integer> envClash = Setting.define("a.bC", SettingType.INTEGER).defaultValue(1).doc("C.").build();
        Setting<Integer> env = Setting.define("a.b.c2", SettingType.INTEGER).defaultValue(1).doc("C.").build();
        assertThatThrownBy(() -> new Catalogue(List.of(a, a), List.of(), Map.of()))
                .hasMessage("settings: a.b defined twice");
        assertThatThrownBy(() -> new Catalogue(List.of(a, sectionClash), List.of(), Map.of()))
                .hasMessage("settings: a.b is both a setting and the section of a.b.c");
        Setting<Integer> snake = Setting.define("a.b.c", SettingType.INTEGER).defaultValue(1).doc("C.").build();
        assertThatThrownBy(() -> new Catalogue(List.of(envClash, snake), List.of(), Map.of()))
                .hasMessage("settings: a.bC and a.b.c share HOLDFAST_A_B_C");
        assertThat(env.envName()).isEqualTo("HOLDFAST_A_B_C2");
    }
}
