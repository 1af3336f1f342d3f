package dev.holdfast.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SpellingTest {

    @ParameterizedTest
    @CsvSource({
            "hub.mqtt.port, HOLDFAST_HUB_MQTT_PORT",
            "pki.crl.refreshInterval, HOLDFAST_PKI_CRL_REFRESH_INTERVAL",
            "pki.profiles.ocspResponder.maxValidity, HOLDFAST_PKI_PROFILES_OCSP_RESPONDER_MAX_VALIDITY",
            "pki.ca.pkcs11.pinFile, HOLDFAST_PKI_CA_PKCS11_PIN_FILE",
            "store.jdbcUrl, HOLDFAST_STORE_JDBC_URL",
            "a.b2c, HOLDFAST_A_B2C",
            "a.b2C, HOLDFAST_A_B2_C",
    })
    void envName_turnsCamelCaseSegmentsIntoUpperSnakeCase(String key, String env) {
        assertThat(Spelling.envName(key)).isEqualTo(env);
    }

    @Test
    void suggest_findsTyposOtherSpellingsAndMissingSections() {
        List<String> keys = List.of("server.https.port", "server.https.bindAddress", "hub.mqtt.port", "store.poolSize");
        assertThat(Spelling.suggest("serverr.https.port", keys)).contains("server.https.port");
        assertThat(Spelling.suggest("server.https.bind_address", keys)).contains("server.https.bindAddress");
        assertThat(Spelling.suggest("store.poolsize", keys)).contains("store.poolSize");
        assertThat(Spelling.suggest("poolSize", keys)).contains("store.poolSize");
        assertThat(Spelling.suggest("mqtt.port", keys)).contains("hub.mqtt.port");
        assertThat(Spelling.suggest("telemetry.sink", keys)).isEmpty();
    }

    @Test
    void quote_escapesControlCharactersAndCutsLongText() {
        assertThat(Spelling.quote("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
        assertThat(Spelling.quote("line\nINFO forged")).isEqualTo("\"line\\nINFO forged\"");
        assertThat(Spelling.quote("\u001b[31mred\u202e")).isEqualTo("\"\\u001b[31mred\\u202e\"");
        assertThat(Spelling.quote("x".repeat(100))).isEqualTo("\"" + "x".repeat(64) + "...\"");
    }

    @Test
    void distance_countsEdits() {
        assertThat(Spelling.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(Spelling.distance("", "abc")).isEqualTo(3);
        assertThat(Spelling.distance("same", "same")).isZero();
    }
}
