package dev.holdfast.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HoldfastConfigTest {
    @TempDir
    Path dir;

    private static HoldfastConfig load(String yaml) throws ConfigException {
        return new ConfigLoader().parse(yaml, "holdfast.yaml", Map.of("HOLDFAST_SERVER_PUBLIC_HOSTNAME", "holdfast.test"));
    }

    @Test
    void get_returnsTypedValues() throws ConfigException {
        HoldfastConfig config = load("pki.est.renewalWindow: 0.75\npki.ca.keyAlgorithm: ec_p384\n");
        double window = config.get(Settings.PKI_EST_RENEWAL_WINDOW);
        Settings.KeyAlgorithm algorithm = config.get(Settings.PKI_CA_KEY_ALGORITHM);
        List<String> names = config.get(Settings.SERVER_TLS_SUBJECT_ALT_NAMES);
        assertThat(window).isEqualTo(0.75);
        assertThat(algorithm).isEqualTo(Settings.KeyAlgorithm.EC_P384);
        assertThat(names).isEmpty();
        assertThat(config.get(Settings.SERVER_PUBLIC_HOSTNAME)).isEqualTo("holdfast.test");
    }

    @Test
    void get_refusesAnOptionalSetting() throws ConfigException {
        HoldfastConfig config = load("store.jdbcUrl: jdbc:postgresql://db/holdfast\n");
        assertThatThrownBy(() -> config.get(Settings.STORE_JDBC_URL)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("store.jdbcUrl: optional (expected: find(store.jdbcUrl))");
        assertThat(config.find(Settings.STORE_JDBC_URL)).contains("jdbc:postgresql://db/holdfast");
        assertThat(config.find(Settings.STORE_USERNAME)).isEmpty();
        assertThat(config.origin(Settings.STORE_USERNAME)).isEqualTo("not set");
    }

    @Test
    void get_refusesASettingFromAnotherCatalogue() throws ConfigException {
        Setting<Integer> stranger = Setting.define("server.https.port", SettingType.INTEGER).defaultValue(1).doc("Look-alike.").build();
        HoldfastConfig config = load("");
        assertThatThrownBy(() -> config.get(stranger)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("server.https.port: not in this configuration's catalogue");
    }

    @Test
    void with_checksTheSettingsLimitsAndLeavesTheOriginalAlone() throws ConfigException {
        HoldfastConfig config = load("");
        HoldfastConfig changed = config.with(Settings.SERVER_HTTPS_PORT, 9443);
        assertThat(changed.get(Settings.SERVER_HTTPS_PORT)).isEqualTo(9443);
        assertThat(changed.origin(Settings.SERVER_HTTPS_PORT)).isEqualTo("set in code");
        assertThat(config.get(Settings.SERVER_HTTPS_PORT)).isEqualTo(8443);
        assertThatThrownBy(() -> config.with(Settings.SERVER_HTTPS_PORT, 70000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("server.https.port: 70000 is above maximum 65535");
        assertThatThrownBy(() -> config.with(Settings.SERVER_TLS_SUBJECT_ALT_NAMES, List.of("ok.example", "not ok")))
                .hasMessage("server.tls.subjectAltNames[1]: \"not ok\" is not a host name or IP address");
    }

    @Test
    void without_clearsAnOptionalSetting() throws ConfigException {
        HoldfastConfig config = load("store.jdbcUrl: jdbc:postgresql://db/holdfast\n").without(Settings.STORE_JDBC_URL);
        assertThat(config.find(Settings.STORE_JDBC_URL)).isEmpty();
        assertThatThrownBy(() -> config.without(Settings.STORE_POOL_SIZE)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toString_showsSecretsAsStars() throws IOException, ConfigException {
        Path pin = Files.writeString(dir.resolve("pin"), "1234");
        HoldfastConfig config = load("pki.ca.pkcs11.pinFile: " + pin + "\n");
        assertThat(config.toString()).contains("pki.ca.pkcs11.pinFile=****", "server.https.port=8443",
                "pki.crl.validity=7d").doesNotContain(pin.toString(), "1234");
        assertThat(config.describe()).contains("pki.ca.pkcs11.pinFile = **** (holdfast.yaml line 1)\n",
                "server.https.port = 8443 (default)\n", "store.jdbcUrl =  (not set)\n").doesNotContain(pin.toString());
    }

    @Test
    void readSecret_refusesASettingThatIsNotSecret() throws ConfigException {
        HoldfastConfig config = load("");
        assertThatThrownBy(() -> config.readSecret(Settings.PKI_CA_PKCS11_LIBRARY)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pki.ca.pkcs11.library: a path (expected: a secret file)");
        assertThat(catchingIo(() -> config.readSecret(Settings.STORE_PASSWORD_FILE))).isEmpty();
    }

    @Test
    void defaults_holdEveryDefault() {
        HoldfastConfig config = HoldfastConfig.defaults();
        assertThat(config.get(Settings.EVENTS_RETENTION)).isEqualTo(Duration.ofDays(90));
        assertThat(config.get(Settings.SERVER_PUBLIC_HOSTNAME)).isNotBlank();
    }

    private interface IoCall<T> {
        T call() throws IOException;
    }

    private static <T> T catchingIo(IoCall<T> call) {
        try {
            return call.call();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
