package dev.holdfast.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {

    @Test
    void catalogue_holdsTheSettingsTheIssueAskedFor() {
        assertThat(Settings.all()).extracting(Setting::key).contains(
                "server.https.port", "server.https.bindAddress", "server.publicHostname", "server.tls.subjectAltNames",
                "server.shutdownGracePeriod", "store.jdbcUrl", "store.username", "store.passwordFile", "store.poolSize",
                "pki.ca.keyBackend", "pki.ca.passphraseFile", "pki.ca.pkcs11.library", "pki.ca.pkcs11.slot",
                "pki.ca.pkcs11.slotListIndex", "pki.ca.pkcs11.pinFile", "pki.ca.keyAlgorithm", "pki.ca.rootValidity",
                "pki.ca.issuingValidity", "pki.profiles.device.maxValidity", "pki.profiles.gateway.maxValidity",
                "pki.profiles.server.maxValidity", "pki.profiles.sensor.maxValidity",
                "pki.profiles.ocspResponder.maxValidity", "pki.crl.validity", "pki.crl.refreshInterval",
                "pki.ocsp.responseValidity", "pki.est.bootstrapTokenValidity", "pki.est.renewalWindow",
                "pki.est.trustedManufacturerCas", "pki.expiry.warningWindow", "events.retention", "hub.mqtt.port");
    }

    @Test
    void catalogue_registersEveryPublicConstant() throws IllegalAccessException {
        List<Object> constants = new ArrayList<>();
        for (Field field : Settings.class.getDeclaredFields()) {
            if (field.getType() == Setting.class && Modifier.isPublic(field.getModifiers()) && Modifier.isStatic(field.getModifiers())) {
                constants.add(field.get(null));
            }
        }
        assertThat(Settings.all()).containsExactlyInAnyOrderElementsOf(constants.stream().map(c -> (Setting<?>) c).toList());
    }

    @Test
    void catalogue_documentsEverySettingAndSection() {
        for (Setting<?> setting : Settings.all()) {
            assertThat(setting.doc()).as(setting.key()).endsWith(".").doesNotContain("\n", "|");
            assertThat(Settings.catalogue().sectionDocs()).as(setting.key()).containsKey(setting.section());
        }
    }

    @Test
    void catalogue_sectionsAreContiguous() {
        List<String> sections = Settings.all().stream().map(Setting::section).toList();
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < sections.size(); i++) {
            if (i == 0 || !sections.get(i).equals(sections.get(i - 1))) {
                assertThat(seen).as("section %s appears in two places", sections.get(i)).doesNotContain(sections.get(i));
                seen.add(sections.get(i));
            }
        }
    }

    @Test
    void defaults_matchTheIssue() throws ConfigException {
        HoldfastConfig config = new ConfigLoader().load(Map.of("HOLDFAST_SERVER_PUBLIC_HOSTNAME", "holdfast.test"));
        assertThat(config.get(Settings.SERVER_HTTPS_PORT)).isEqualTo(8443);
        assertThat(config.get(Settings.SERVER_HTTPS_BIND_ADDRESS)).isEqualTo("0.0.0.0");
        assertThat(config.get(Settings.SERVER_SHUTDOWN_GRACE_PERIOD)).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.get(Settings.HUB_MQTT_PORT)).isEqualTo(8883);
        assertThat(config.get(Settings.STORE_POOL_SIZE)).isEqualTo(8);
        assertThat(config.get(Settings.PKI_CA_KEY_BACKEND)).isEqualTo(Settings.KeyBackend.PKCS12);
        assertThat(config.get(Settings.PKI_CA_KEY_ALGORITHM)).isEqualTo(Settings.KeyAlgorithm.EC_P256);
        assertThat(config.get(Settings.PKI_CA_PKCS11_LIBRARY)).isEqualTo(Path.of("/usr/lib/softhsm/libsofthsm2.so"));
        assertThat(config.get(Settings.PKI_CA_ROOT_VALIDITY)).isEqualTo(Duration.ofDays(7300));
        assertThat(config.get(Settings.PKI_CA_ISSUING_VALIDITY)).isEqualTo(Duration.ofDays(3650));
        assertThat(config.get(Settings.PKI_PROFILES_DEVICE_MAX_VALIDITY)).isEqualTo(Duration.ofDays(365));
        assertThat(config.get(Settings.PKI_PROFILES_GATEWAY_MAX_VALIDITY)).isEqualTo(Duration.ofDays(365));
        assertThat(config.get(Settings.PKI_PROFILES_SERVER_MAX_VALIDITY)).isEqualTo(Duration.ofDays(397));
        assertThat(config.get(Settings.PKI_PROFILES_SENSOR_MAX_VALIDITY)).isEqualTo(Duration.ofDays(365));
        assertThat(config.get(Settings.PKI_PROFILES_OCSP_RESPONDER_MAX_VALIDITY)).isEqualTo(Duration.ofDays(30));
        assertThat(config.get(Settings.PKI_CRL_VALIDITY)).isEqualTo(Duration.ofDays(7));
        assertThat(config.get(Settings.PKI_CRL_REFRESH_INTERVAL)).isEqualTo(Duration.ofHours(1));
        assertThat(config.get(Settings.PKI_OCSP_RESPONSE_VALIDITY)).isEqualTo(Duration.ofHours(1));
        assertThat(config.get(Settings.PKI_EST_BOOTSTRAP_TOKEN_VALIDITY)).isEqualTo(Duration.ofHours(24));
        assertThat(config.get(Settings.PKI_EST_RENEWAL_WINDOW)).isEqualTo(0.6667);
        assertThat(config.get(Settings.PKI_EST_TRUSTED_MANUFACTURER_CAS)).isEmpty();
        assertThat(config.get(Settings.PKI_EXPIRY_WARNING_WINDOW)).isEqualTo(Duration.ofDays(30));
        assertThat(config.get(Settings.EVENTS_RETENTION)).isEqualTo(Duration.ofDays(90));
        for (Setting<?> optional : List.of(Settings.STORE_JDBC_URL, Settings.STORE_USERNAME, Settings.STORE_PASSWORD_FILE,
                Settings.STORE_SCHEMA, Settings.PKI_CA_PASSPHRASE_FILE, Settings.PKI_CA_PKCS11_SLOT,
                Settings.PKI_CA_PKCS11_PIN_FILE)) {
            assertThat(optional.optional()).as(optional.key()).isTrue();
            assertThat(config.find(optional)).as(optional.key()).isEmpty();
        }
    }

    @Test
    void secrets_areOnlyEverFiles() {
        assertThat(Settings.all()).filteredOn(s -> s.type().secret()).extracting(Setting::key).containsExactly(
                "store.passwordFile", "pki.ca.passphraseFile", "pki.ca.pkcs11.pinFile");
    }

    @Test
    void byKey_findsASetting() {
        assertThat(Settings.byKey("hub.mqtt.port")).containsSame(Settings.HUB_MQTT_PORT);
        assertThat(Settings.byKey("hub.mqtt")).isEmpty();
    }
}
