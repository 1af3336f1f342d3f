package dev.holdfast.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    /** Every test names the host, so that no test depends on the machine's own name. */
    private static final Map<String, String> ENV = Map.of("HOLDFAST_SERVER_PUBLIC_HOSTNAME", "holdfast.test");

    @TempDir
    Path dir;

    private static HoldfastConfig parse(String yaml) throws ConfigException {
        return parse(yaml, ENV);
    }

    private static HoldfastConfig parse(String yaml, Map<String, String> env) throws ConfigException {
        return new ConfigLoader().parse(yaml, "holdfast.yaml", env);
    }

    /** The errors loading reports, each as the line an operator reads. */
    private static List<String> errors(String yaml, Map<String, String> env) {
        try {
            parse(yaml, env);
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::toString).toList();
        }
        throw new AssertionError("loaded without errors:\n" + yaml);
    }

    private static List<String> errors(String yaml) {
        return errors(yaml, ENV);
    }

    private static Map<String, String> env(String... keysAndValues) {
        Map<String, String> map = new HashMap<>(ENV);
        for (int i = 0; i < keysAndValues.length; i += 2) map.put(keysAndValues[i], keysAndValues[i + 1]);
        return map;
    }

    @Test
    void load_withoutFileGivesTheDefaults() throws ConfigException {
        HoldfastConfig config = new ConfigLoader().load(ENV);
        assertThat(config.get(Settings.SERVER_HTTPS_PORT)).isEqualTo(8443);
        assertThat(config.get(Settings.PKI_CRL_VALIDITY)).isEqualTo(Duration.ofDays(7));
        assertThat(config.find(Settings.STORE_JDBC_URL)).isEmpty();
        assertThat(config.origin(Settings.SERVER_HTTPS_PORT)).isEqualTo("default");
        assertThat(config.warnings()).isEmpty();
    }

    @Test
    void load_ofAnEmptyFileGivesTheDefaults() throws ConfigException {
        for (String yaml : List.of("", "# nothing here\n", "---\n", "~\n")) {
            assertThat(parse(yaml).get(Settings.STORE_POOL_SIZE)).isEqualTo(8);
        }
    }

    @Test
    void file_beatsDefaults() throws ConfigException {
        HoldfastConfig config = parse("""
                server:
                  https:
                    port: 9443
                pki:
                  crl:
                    refreshInterval: PT30M
                """);
        assertThat(config.get(Settings.SERVER_HTTPS_PORT)).isEqualTo(9443);
        assertThat(config.get(Settings.PKI_CRL_REFRESH_INTERVAL)).isEqualTo(Duration.ofMinutes(30));
        assertThat(config.origin(Settings.SERVER_HTTPS_PORT)).isEqualTo("holdfast.yaml line 3");
    }

    @Test
    void env_overridesFileValue() throws ConfigException {
        HoldfastConfig config = parse("server.https.port: 9443\n", env("HOLDFAST_SERVER_HTTPS_PORT", "10443"));
        assertThat(config.get(Settings.SERVER_HTTPS_PORT)).isEqualTo(10443);
        assertThat(config.origin(Settings.SERVER_HTTPS_PORT)).isEqualTo("environment HOLDFAST_SERVER_HTTPS_PORT");
    }

    @Test
    void env_emptyValueCountsAsNotSet() throws ConfigException {
        HoldfastConfig config = parse("store.poolSize: 4\n", env("HOLDFAST_STORE_POOL_SIZE", "  ", "HOLDFAST_STORE_JDBC_URL", ""));
        assertThat(config.get(Settings.STORE_POOL_SIZE)).isEqualTo(4);
        assertThat(config.find(Settings.STORE_JDBC_URL)).isEmpty();
    }

    @Test
    void file_emptyValueCountsAsNotSet() throws ConfigException {
        HoldfastConfig config = parse("store:\n  poolSize:\n  jdbcUrl: ~\n  username: ''\n");
        assertThat(config.get(Settings.STORE_POOL_SIZE)).isEqualTo(8);
        assertThat(config.find(Settings.STORE_JDBC_URL)).isEmpty();
        assertThat(config.find(Settings.STORE_USERNAME)).isEmpty();
    }

    @Test
    void load_acceptsDottedAndNestedKeysInAnyMix() throws ConfigException {
        HoldfastConfig config = parse("""
                server.https.port: 1
                server:
                  https.bindAddress: 127.0.0.1
                  tls:
                    subjectAltNames: [a.example]
                pki.ca:
                  keyBackend: PKCS12
                """);
        assertThat(config.get(Settings.SERVER_HTTPS_PORT)).isEqualTo(1);
        assertThat(config.get(Settings.SERVER_HTTPS_BIND_ADDRESS)).isEqualTo("127.0.0.1");
        assertThat(config.get(Settings.SERVER_TLS_SUBJECT_ALT_NAMES)).containsExactly("a.example");
        assertThat(config.get(Settings.PKI_CA_KEY_BACKEND)).isEqualTo(Settings.KeyBackend.PKCS12);
    }

    @Test
    void load_reportsEveryErrorWithItsPath() {
        assertThat(errors("""
                serverr:
                  https:
                    port: 8443
                server:
                  https:
                    port: 70000
                  shutdownGracePeriod: soon
                pki:
                  ca:
                    keyBackend: maybe
                  crl.validity: 7
                store.poolSize: 0
                """, env("HOLDFAST_HUB_MQTT_PORT", "mqtt"))).containsExactly(
                "serverr.https.port: unknown setting (did you mean server.https.port?) [holdfast.yaml line 3]",
                "server.https.port: 70000 is above maximum 65535 [holdfast.yaml line 6]",
                "server.shutdownGracePeriod: \"soon\" is not a duration (expected: a number and a unit, ms, s, m, h or d,"
                        + " such as 30s or 7d, or ISO-8601 such as PT5M) [holdfast.yaml line 7]",
                "hub.mqtt.port: \"mqtt\" is not an integer [environment HOLDFAST_HUB_MQTT_PORT]",
                "store.poolSize: 0 is below minimum 1 [holdfast.yaml line 12]",
                "pki.ca.keyBackend: \"maybe\" is not one of [pkcs12, pkcs11] [holdfast.yaml line 10]",
                "pki.crl.validity: \"7\" is not a duration (expected: a number and a unit, ms, s, m, h or d,"
                        + " such as 30s or 7d, or ISO-8601 such as PT5M) [holdfast.yaml line 11]");
    }

    @Test
    void load_throwsOneExceptionWhoseMessageListsEveryError() {
        assertThatThrownBy(() -> parse("server.https.port: -1\nstore.poolSize: 65\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("""
                        invalid configuration (2 errors):
                          server.https.port: -1 is below minimum 0 [holdfast.yaml line 1]
                          store.poolSize: 65 is above maximum 64 [holdfast.yaml line 2]""");
    }

    @Test
    void load_reportsABadFileValueEvenWhenTheEnvironmentOverridesIt() {
        assertThat(errors("server.https.port: http\n", env("HOLDFAST_SERVER_HTTPS_PORT", "8443")))
                .containsExactly("server.https.port: \"http\" is not an integer [holdfast.yaml line 1]");
    }

    @Test
    void load_suggestsTheKeyForOtherSpellings() {
        assertThat(errors("server:\n  https:\n    bind_address: 0.0.0.0\nstore:\n  pool-size: 3\ntelemetry: {}\n"))
                .containsExactly(
                        "server.https.bind_address: unknown setting (did you mean server.https.bindAddress?) [holdfast.yaml line 3]",
                        "store.pool-size: unknown setting (did you mean store.poolSize?) [holdfast.yaml line 5]",
                        "telemetry: unknown setting [holdfast.yaml line 6]");
    }

    @Test
    void load_reportsAMappingWhereAValueBelongs() {
        assertThat(errors("server:\n  https:\n    port:\n      value: 1\n      other: 2\nstore.poolSize: {}\n"))
                .containsExactly(
                        "server.https.port: expected an integer, found a mapping [holdfast.yaml line 4]",
                        "store.poolSize: expected an integer, found a mapping [holdfast.yaml line 6]");
    }

    @Test
    void load_reportsAValueWhereASectionBelongs() {
        assertThat(errors("server:\n  https: 8443\n")).containsExactly(
                "server.https: is a section (expected: a mapping of settings such as server.https.port) [holdfast.yaml line 2]");
        assertThat(errors("pki: [ca]\n")).containsExactly(
                "pki: is a section (expected: a mapping of settings such as pki.ca.keyBackend) [holdfast.yaml line 1]");
    }

    @Test
    void load_refusesAKeySetTwice() {
        assertThat(errors("server.https.port: 1\nserver:\n  https:\n    port: 2\n")).containsExactly(
                "server.https.port: set twice, at lines 1 and 4 (expected: once, nested or dotted) [holdfast.yaml line 4]");
    }

    @Test
    void load_refusesMalformedYamlWithLineAndColumn() {
        List<String> errors = errors("server:\n  https:\n   port: 1\n  bad: : :\n");
        assertThat(errors).containsExactly("holdfast.yaml: malformed YAML at line 4, column 8: mapping values are not allowed here");
    }

    @Test
    void load_namesWhereAnUnclosedStructureStarted() {
        assertThat(errors("server:\n  tls:\n    subjectAltNames: [a.example, b.example\n")).singleElement().asString()
                .startsWith("holdfast.yaml: malformed YAML at line 4, column 1: expected ',' or ']', but got <stream end>")
                .endsWith("(while parsing a flow sequence that starts at line 3, column 22)");
    }

    @Test
    void load_reportsMalformedYamlInOneLineWithoutAStackTrace() {
        for (String yaml : List.of("a: 'unterminated\n", "a:\n\t- tab\n", "{a: 1\n", "a: !!binary ZZZ\n", "key: [\n", "? - a\n")) {
            assertThat(errors(yaml)).as(yaml).allSatisfy(error -> assertThat(error)
                    .doesNotContain("Exception", "\n", "\tat ")
                    .startsWith("holdfast.yaml: "));
        }
    }

    @Test
    void load_reportsEveryTruncationOfAFileAsConfigErrors() throws IOException {
        Path pin = Files.writeString(dir.resolve("pin"), "1234");
        String full = """
                # A configuration that touches every kind of node.
                server:
                  https: {port: 9443, bindAddress: "::"}
                  tls:
                    subjectAltNames:
                      - holdfast.example.com
                      - 10.0.0.5
                  shutdownGracePeriod: PT30S
                store.jdbcUrl: 'jdbc:postgresql://db.example:5432/holdfast'
                store.poolSize: 16
                pki:
                  ca:
                    keyBackend: pkcs11
                    pkcs11: {slot: 17, pinFile: %s}
                  est.renewalWindow: 0.75
                """.formatted(pin);
        for (int end = 0; end <= full.length(); end++) {
            String yaml = full.substring(0, end);
            try {
                parse(yaml);
            } catch (ConfigException e) {
                assertThat(e.errors()).as(yaml).isNotEmpty()
                        .allSatisfy(error -> assertThat(error.toString()).doesNotContain("\n"));
            } catch (RuntimeException e) {
                throw new AssertionError("prefix of " + end + " characters escaped as " + e, e);
            }
        }
    }

    @Test
    void load_stillChecksTheEnvironmentWhenTheFileIsMalformed() {
        assertThat(errors("a: [\n", env("HOLDFAST_STORE_POOL_SIZE", "100"))).hasSize(2)
                .last().isEqualTo("store.poolSize: 100 is above maximum 64 [environment HOLDFAST_STORE_POOL_SIZE]");
    }

    @Test
    void load_refusesATopLevelThatIsNotAMapping() {
        assertThat(errors("- server.https.port: 1\n")).containsExactly(
                "holdfast.yaml: expected a mapping of settings at the top level, found a list [holdfast.yaml line 1]");
        assertThat(errors("8443\n")).containsExactly(
                "holdfast.yaml: expected a mapping of settings at the top level, found a plain value [holdfast.yaml line 1]");
    }

    @Test
    void load_refusesASecondDocument() {
        assertThat(errors("store.poolSize: 2\n---\nstore.poolSize: 3\n")).containsExactly(
                "holdfast.yaml: a second YAML document starts at line 3 (expected: one document with every setting)");
    }

    @Test
    void load_acceptsDocumentMarkersAroundTheOnlyDocument() throws ConfigException {
        assertThat(parse("---\nstore.poolSize: 2\n---\n").get(Settings.STORE_POOL_SIZE)).isEqualTo(2);
        assertThat(parse("store.poolSize: 3\n...\n").get(Settings.STORE_POOL_SIZE)).isEqualTo(3);
    }

    @Test
    void load_refusesAliases() {
        assertThat(errors("hub.mqtt.port: &p 8000\nserver.https.port: *p\n")).containsExactly(
                "server.https.port: YAML aliases are not supported (expected: the value written out) [holdfast.yaml line 2]");
    }

    @Test
    void load_quotesKeysWithControlCharactersOrNoCharacters() {
        assertThat(errors("\"store\\nINFO all good\": 1\n\"\": 2\n")).containsExactly(
                "\"store\\nINFO all good\": unknown setting [holdfast.yaml line 1]",
                "\"\": unknown setting [holdfast.yaml line 2]");
    }

    @Test
    void load_reportsAKeySetTwiceInOneFlowMapping() {
        assertThat(errors("server: {https: {port: 1}, https: {port: 2}}\n")).containsExactly(
                "server.https.port: set twice on line 1 (expected: once, nested or dotted) [holdfast.yaml line 1]");
    }

    @Test
    void load_explainsComplexKeys() {
        assertThat(errors("? - a\n: 1\n")).containsExactly(
                "holdfast.yaml: malformed YAML at line 1, column 3: expected a plain key (complex keys are not supported)");
    }

    @Test
    void list_acceptsAYamlSequenceOrCommaSeparatedText() throws ConfigException {
        assertThat(parse("server.tls.subjectAltNames:\n  - a.example\n  - 10.0.0.5\n").get(Settings.SERVER_TLS_SUBJECT_ALT_NAMES))
                .containsExactly("a.example", "10.0.0.5");
        assertThat(parse("server.tls.subjectAltNames: a.example, ::1\n").get(Settings.SERVER_TLS_SUBJECT_ALT_NAMES))
                .containsExactly("a.example", "::1");
        assertThat(parse("", env("HOLDFAST_SERVER_TLS_SUBJECT_ALT_NAMES", "a.example,b.example"))
                .get(Settings.SERVER_TLS_SUBJECT_ALT_NAMES)).containsExactly("a.example", "b.example");
    }

    @Test
    void list_reportsABadElementWithItsIndex() {
        assertThat(errors("server.tls.subjectAltNames: [ok.example, not_ok, ~, {a: 1}]\n")).containsExactly(
                "server.tls.subjectAltNames[3]: expected a plain value, found a mapping [holdfast.yaml line 1]");
        assertThat(errors("server.tls.subjectAltNames: [ok.example, not_ok, ~]\n")).containsExactly(
                "server.tls.subjectAltNames[1]: \"not_ok\" is not a host name or IP address [holdfast.yaml line 1]",
                "server.tls.subjectAltNames[2]: empty list element [holdfast.yaml line 1]");
    }

    @Test
    void file_listElementsMustExist() throws IOException, ConfigException {
        Path ca = Files.writeString(dir.resolve("acme.pem"), "-----BEGIN CERTIFICATE-----\n");
        Path missing = dir.resolve("missing.pem");
        assertThat(parse("pki.est.trustedManufacturerCas: [" + ca + "]\n").get(Settings.PKI_EST_TRUSTED_MANUFACTURER_CAS))
                .containsExactly(ca);
        assertThat(errors("pki.est.trustedManufacturerCas: [" + ca + ", " + missing + "]\n")).containsExactly(
                "pki.est.trustedManufacturerCas[1]: " + missing + " does not exist or is not a regular file [holdfast.yaml line 1]");
    }

    @Test
    void secretFile_mustBeReadableAndIsNeverEchoed() {
        assertThat(errors("store:\n  jdbcUrl: jdbc:postgresql://db/holdfast\n  passwordFile: hunter2\n")).containsExactly(
                "store.passwordFile: the file does not exist or is not a regular file [holdfast.yaml line 3]");
    }

    @Test
    void secretFile_loadsAndReadsWithoutTrailingLineBreak() throws IOException, ConfigException {
        Path password = Files.writeString(dir.resolve("db-password"), "s3cret\r\n");
        HoldfastConfig config = parse("store:\n  jdbcUrl: jdbc:postgresql://db/holdfast\n  passwordFile: " + password + "\n");
        assertThat(config.find(Settings.STORE_PASSWORD_FILE)).contains(password);
        assertThat(config.readSecret(Settings.STORE_PASSWORD_FILE)).hasValueSatisfying(secret ->
                assertThat(new String(secret)).isEqualTo("s3cret"));
        assertThat(config.toString()).contains("store.passwordFile=****").doesNotContain(password.toString());
    }

    @Test
    void rule_pkcs11BackendNeedsAPinFileAndAToken() {
        assertThat(errors("pki.ca.keyBackend: pkcs11\npki.ca.pkcs11.library: " + dir.resolve("missing.so") + "\n"))
                .containsExactly(
                        "pki.ca.pkcs11.pinFile: required when pki.ca.keyBackend is pkcs11",
                        "pki.ca.pkcs11.library: " + dir.resolve("missing.so") + " does not exist (required when "
                                + "pki.ca.keyBackend is pkcs11) [holdfast.yaml line 2]");
    }

    @Test
    void rule_pkcs11BackendLoadsWhenComplete() throws IOException, ConfigException {
        Path library = Files.writeString(dir.resolve("libfake.so"), "");
        Path pin = Files.writeString(dir.resolve("pin"), "1234\n");
        Files.setPosixFilePermissions(pin, PosixFilePermissions.fromString("rw-------"));
        HoldfastConfig config = parse("""
                pki.ca:
                  keyBackend: pkcs11
                  pkcs11:
                    library: %s
                    slot: 1234
                    pinFile: %s
                """.formatted(library, pin));
        assertThat(config.get(Settings.PKI_CA_KEY_BACKEND)).isEqualTo(Settings.KeyBackend.PKCS11);
        assertThat(config.find(Settings.PKI_CA_PKCS11_SLOT)).contains(1234L);
        assertThat(config.warnings()).isEmpty();
    }

    @Test
    void rule_crlMustBeRefreshedBeforeItExpires() {
        assertThat(errors("pki.crl:\n  validity: 1h\n  refreshInterval: 2h\n")).containsExactly(
                "pki.crl.refreshInterval: 2h is not shorter than pki.crl.validity 1h [holdfast.yaml line 3]");
    }

    @Test
    void rule_profilesMayNotOutliveTheIssuingCa() {
        assertThat(errors("pki.ca.issuingValidity: 300d\npki.ca.rootValidity: 200d\n")).containsExactly(
                "pki.ca.issuingValidity: 300d exceeds pki.ca.rootValidity 200d [holdfast.yaml line 1]",
                "pki.profiles.device.maxValidity: 365d exceeds pki.ca.issuingValidity 300d",
                "pki.profiles.gateway.maxValidity: 365d exceeds pki.ca.issuingValidity 300d",
                "pki.profiles.server.maxValidity: 397d exceeds pki.ca.issuingValidity 300d",
                "pki.profiles.sensor.maxValidity: 365d exceeds pki.ca.issuingValidity 300d");
    }

    @Test
    void rule_staysSilentWhenItsInputAlreadyFailed() {
        assertThat(errors("pki.crl:\n  validity: 0s\n  refreshInterval: 2h\n")).containsExactly(
                "pki.crl.validity: 0s is below minimum 1h [holdfast.yaml line 2]");
    }

    @Test
    void rule_storeCredentialsNeedAJdbcUrl() {
        assertThat(errors("store.username: holdfast\n", env("HOLDFAST_STORE_SCHEMA", "run_1"))).containsExactly(
                "store.username: set, but store.jdbcUrl is not (the embedded SQLite store uses neither credentials nor "
                        + "schemas) [holdfast.yaml line 1]",
                "store.schema: set, but store.jdbcUrl is not (the embedded SQLite store uses neither credentials nor "
                        + "schemas) [environment HOLDFAST_STORE_SCHEMA]");
    }

    @Test
    void check_settingRulesReportTheBadValue() {
        assertThat(errors("store.jdbcUrl: postgres://db/holdfast\npki.ca.pkcs11.slotListIndex: 300\n"))
                .containsExactly(
                        "store.jdbcUrl: \"postgres://db/holdfast\" is not a JDBC URL (expected: jdbc:...) [holdfast.yaml line 1]",
                        "pki.ca.pkcs11.slotListIndex: 300 is above maximum 255 [holdfast.yaml line 2]");
    }

    @Test
    void warnings_nameAMisspeltEnvironmentVariable() throws ConfigException {
        HoldfastConfig config = new ConfigLoader().load(env(
                "HOLDFAST_SERVER_HTTP_PORT", "9443",
                "HOLDFAST_TOKEN", "not a setting, and not close to one",
                "HOLDFAST_CA_PASSPHRASE", "also not a setting"));
        assertThat(config.warnings()).containsExactly(
                "HOLDFAST_SERVER_HTTP_PORT is not a setting and is ignored; did you mean HOLDFAST_SERVER_HTTPS_PORT?");
        assertThat(config.get(Settings.SERVER_HTTPS_PORT)).isEqualTo(8443);
    }

    @Test
    void warnings_nameASecretFileOthersCanRead() throws IOException, ConfigException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        Path passphrase = Files.writeString(dir.resolve("passphrase"), "correct horse\n");
        Files.setPosixFilePermissions(passphrase, PosixFilePermissions.fromString("rw-r--r--"));
        HoldfastConfig config = parse("pki.ca.passphraseFile: " + passphrase + "\n");
        assertThat(config.warnings()).containsExactly(
                "pki.ca.passphraseFile: the file can be read by users other than its owner (expected: mode 0600 or 0400)");
    }

    @Test
    void load_readsAFile() throws IOException, ConfigException {
        Path file = Files.writeString(dir.resolve("holdfast.yaml"), "\uFEFFhub:\n  mqtt:\n    port: 18883\n");
        HoldfastConfig config = new ConfigLoader().load(file, ENV);
        assertThat(config.get(Settings.HUB_MQTT_PORT)).isEqualTo(18883);
        assertThat(config.origin(Settings.HUB_MQTT_PORT)).isEqualTo(file + " line 3");
    }

    @Test
    void load_reportsAFileThatCannotBeRead() throws IOException {
        Path missing = dir.resolve("missing.yaml");
        assertThatThrownBy(() -> new ConfigLoader().load(missing, ENV)).isInstanceOf(ConfigException.class)
                .hasMessage("invalid configuration (1 error):\n  " + missing + ": no such file");
        Path latin1 = Files.write(dir.resolve("latin1.yaml"), new byte[] {'a', ':', ' ', (byte) 0xE9, '\n'});
        assertThatThrownBy(() -> new ConfigLoader().load(latin1, ENV)).hasMessageEndingWith(latin1 + ": is not UTF-8 text");
        assertThatThrownBy(() -> new ConfigLoader().load(dir, ENV)).hasMessageEndingWith(dir + ": is a directory (expected: a YAML file)");
        Path huge = Files.write(dir.resolve("huge.yaml"), new byte[(int) ConfigLoader.MAX_FILE_BYTES + 1]);
        assertThatThrownBy(() -> new ConfigLoader().load(huge, ENV)).hasMessageContaining("is larger than 1 MiB");
    }

    @Test
    void required_reportsAMissingValueWithItsVariable() {
        Setting<String> token = Setting.define("test.token", SettingType.STRING).required().doc("A token.").build();
        Catalogue catalogue = new Catalogue(List.of(token), List.of(), Map.of());
        assertThatThrownBy(() -> new ConfigLoader(catalogue).load(Map.of())).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e.errors()).containsExactly(new ConfigError("test.token",
                        "required, and not set (expected: a value in the file or in HOLDFAST_TEST_TOKEN)", "")));
    }

    @Test
    void computedDefault_reportsWhyItCouldNotBeComputed() {
        Setting<String> host = Setting.define("test.host", SettingType.HOST)
                .computedDefault("the host name", () -> {
                    throw new IllegalStateException("cannot determine this machine's host name; set test.host");
                })
                .doc("A host.").build();
        Catalogue catalogue = new Catalogue(List.of(host), List.of(), Map.of());
        assertThatThrownBy(() -> new ConfigLoader(catalogue).load(Map.of())).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e.errors()).extracting(ConfigError::toString)
                        .containsExactly("test.host: cannot determine this machine's host name; set test.host"));
    }
}
