package dev.holdfast.server.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The catalogue: every setting Holdfast reads, with its type, default, limits and documentation.
 * {@code docs/configuration.md} is generated from this class by {@link ConfigReference}; the order here
 * is the order there.
 *
 * <p>To add a setting, define a constant below with {@link #add}, give it a default (or make it
 * optional), a doc that says what it does and what its unit is, and limits where a value can be wrong;
 * then regenerate the reference ({@code ./holdfast config reference > docs/configuration.md}).
 */
public final class Settings {
    // Both are read while the constants below are initialized, so they come first.
    private static final List<Setting<?>> DEFINED = new ArrayList<>();
    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    /**
     * The environment variable that holds the CA passphrase itself when {@link #PKI_CA_PASSPHRASE_FILE} is
     * not set. It is not derived from a key because the passphrase is never a configuration value.
     */
    public static final String CA_PASSPHRASE_ENV = "HOLDFAST_CA_PASSPHRASE";

    /** Where the certificate authorities keep their private keys. */
    public enum KeyBackend {
        /** Password-protected PKCS#12 files under the data directory. */
        PKCS12,
        /** A hardware security module (or SoftHSM) behind a PKCS#11 library; keys never leave it. */
        PKCS11;

        /** As written in a configuration: {@code pkcs12}. */
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The key type of a newly created certificate authority. */
    public enum KeyAlgorithm {
        /** ECDSA on NIST P-256 with SHA-256: supported by every TLS stack for constrained devices. */
        EC_P256,
        /** ECDSA on NIST P-384 with SHA-384, for policies that ask for 192-bit security (CNSA). */
        EC_P384
    }

    // server ------------------------------------------------------------------------------------------

    public static final Setting<Integer> SERVER_HTTPS_PORT = add(Setting.define("server.https.port", SettingType.INTEGER)
            .defaultValue(8443).min(0).max(65535).unit("TCP port")
            .doc("Port of the HTTPS listener: the REST API under `/api/v1`, the web console, EST under "
                    + "`/.well-known/est/`, OCSP, CRLs and device provisioning over HTTPS. `0` lets the "
                    + "operating system pick a free port, for tests."));

    public static final Setting<String> SERVER_HTTPS_BIND_ADDRESS = add(Setting.define("server.https.bindAddress", SettingType.HOST)
            .defaultValue("0.0.0.0")
            .doc("Address the HTTPS listener binds to: `0.0.0.0` for every IPv4 interface, `::` for every "
                    + "interface, `127.0.0.1` for loopback only."));

    public static final Setting<String> SERVER_PUBLIC_HOSTNAME = add(Setting.define("server.publicHostname", SettingType.HOST)
            .computedDefault("this machine's host name", Settings::localHostName)
            .doc("Name under which devices and clients reach this server. It is a subject alternative name of "
                    + "the server certificate and the host of the CRL distribution point and OCSP URLs in every "
                    + "certificate the CAs issue, so certificates issued before a change keep pointing at the old "
                    + "name: set it before the first start."));

    public static final Setting<List<String>> SERVER_TLS_SUBJECT_ALT_NAMES = add(Setting.define(
                    "server.tls.subjectAltNames", SettingType.list(SettingType.HOST))
            .defaultValue(List.of())
            .doc("Further DNS names and IP addresses for the server's TLS certificate (subject alternative "
                    + "names, RFC 5280 section 4.2.1.6), such as a load balancer's name. `localhost`, "
                    + "`127.0.0.1`, `::1` and `server.publicHostname` are always included."));

    public static final Setting<Duration> SERVER_SHUTDOWN_GRACE_PERIOD = add(Setting.define(
                    "server.shutdownGracePeriod", SettingType.DURATION)
            .defaultValue(Duration.ofSeconds(10)).min(Duration.ZERO).max(Duration.ofMinutes(10))
            .doc("How long a stopping server lets requests in flight finish and devices disconnect before it "
                    + "closes the remaining connections."));

    // hub ---------------------------------------------------------------------------------------------

    public static final Setting<Integer> HUB_MQTT_PORT = add(Setting.define("hub.mqtt.port", SettingType.INTEGER)
            .defaultValue(8883).min(0).max(65535).unit("TCP port")
            .doc("Port of the MQTT over TLS listener, where devices connect with their certificates (device hub "
                    + "and provisioning over MQTT). 8883 is the IANA port for MQTT over TLS; `0` lets the "
                    + "operating system pick a free port, for tests."));

    // hub: device sessions, messages and limits

    public static final Setting<Boolean> HUB_ENABLED = add(Setting.define("hub.enabled", SettingType.BOOLEAN)
            .defaultValue(true)
            .doc("Whether this server runs the device hub (the MQTT over TLS listener on `hub.mqtt.port`)."));

    public static final Setting<String> HUB_MQTT_BIND_ADDRESS = add(Setting.define("hub.mqtt.bindAddress", SettingType.HOST)
            .defaultValue("0.0.0.0")
            .doc("Address the MQTT listener binds to: `0.0.0.0` for every IPv4 interface, `127.0.0.1` for loopback only."));

    public static final Setting<Integer> HUB_MAX_PACKET_BYTES = add(Setting.define("hub.maxPacketBytes", SettingType.INTEGER)
            .defaultValue(266_240).min(1024).max(268_435_455).unit("bytes")
            .doc("Largest MQTT packet a device may send: 256 KiB of payload (IoT Hub's device-to-cloud limit) "
                    + "plus topic and headers. A larger packet closes the connection."));

    public static final Setting<Integer> HUB_CLOUD_TO_DEVICE_MAX_BYTES = add(Setting.define("hub.cloudToDevice.maxBytes", SettingType.INTEGER)
            .defaultValue(65_536).min(1).max(266_240).unit("bytes")
            .doc("Largest cloud-to-device message body accepted by the API (IoT Hub allows 64 KiB)."));

    public static final Setting<Integer> HUB_CLOUD_TO_DEVICE_MAX_PENDING = add(Setting.define("hub.cloudToDevice.maxPending", SettingType.INTEGER)
            .defaultValue(50).min(1).max(10_000).unit("messages")
            .doc("Cloud-to-device messages a device may have queued and not yet acknowledged; more are refused with 429."));

    public static final Setting<Duration> HUB_CLOUD_TO_DEVICE_TTL = add(Setting.define("hub.cloudToDevice.ttl", SettingType.DURATION)
            .defaultValue(Duration.ofHours(1)).min(Duration.ofSeconds(1)).max(Duration.ofDays(2))
            .doc("How long a cloud-to-device message waits for its device when the sender gives no expiry."));

    public static final Setting<Duration> HUB_CONNECT_TIMEOUT = add(Setting.define("hub.connectTimeout", SettingType.DURATION)
            .defaultValue(Duration.ofSeconds(10)).min(Duration.ofSeconds(1)).max(Duration.ofMinutes(5))
            .doc("From TCP accept to an accepted CONNECT, the TLS handshake included; slower clients are disconnected."));

    public static final Setting<Integer> HUB_MAX_CONNECTIONS = add(Setting.define("hub.maxConnections", SettingType.INTEGER)
            .defaultValue(100_000).min(1).unit("connections")
            .doc("Open MQTT connections at most, authenticated or not; further connections are closed at once and counted."));

    public static final Setting<Integer> HUB_LIMITS_MESSAGES_PER_SECOND = add(Setting.define("hub.limits.messagesPerSecond", SettingType.INTEGER)
            .defaultValue(100).min(1).unit("messages per second")
            .doc("Per device: publishes per second (with a burst of the same size); a device over it is disconnected."));

    public static final Setting<Integer> HUB_LIMITS_BYTES_PER_SECOND = add(Setting.define("hub.limits.bytesPerSecond", SettingType.INTEGER)
            .defaultValue(1 << 20).min(1).unit("bytes per second")
            .doc("Per device: publish payload bytes per second (with a burst of the same size); a device over it is disconnected."));

    public static final Setting<Integer> HUB_LIMITS_CONNECTIONS_PER_SECOND_PER_SOURCE = add(Setting.define(
                    "hub.limits.connectionsPerSecondPerSource", SettingType.INTEGER)
            .defaultValue(200).min(1).unit("connections per second")
            .doc("New connections per second from one source address; more are closed before the TLS handshake."));

    public static final Setting<Duration> HUB_TELEMETRY_RETENTION = add(Setting.define("hub.telemetry.retention", SettingType.DURATION)
            .defaultValue(Duration.ofDays(7)).min(Duration.ofHours(1))
            .doc("How long the built-in telemetry store keeps device-to-cloud messages."));

    // hub: telemetry routing (issue 5) ----------------------------------------------------------------

    public static final Setting<List<dev.holdfast.hub.routing.Route>> HUB_ROUTES = add(Setting.define("hub.routes",
                    SettingType.objects("route", "routes", HubSettingsReaders::route))
            .defaultValue(List.of())
            .doc("Telemetry routes: a list of mappings with name, condition (CEL over message.properties, "
                    + "message.system, message.deviceId and the JSON body; default true) and endpoint (store, file or "
                    + "webhook) with the endpoint's fields: file: path, maxBytes, keep; webhook: url (https), "
                    + "tls.caFile, timeout, backoff.initial, backoff.max (docs/hub.md). Empty: every message to the "
                    + "built-in store. In the environment: a JSON array."));

    // store -------------------------------------------------------------------------------------------

    public static final Setting<String> STORE_JDBC_URL = add(Setting.define("store.jdbcUrl", SettingType.STRING)
            .optional()
            .check(url -> url.startsWith("jdbc:") ? null : Spelling.quote(url) + " is not a JDBC URL (expected: jdbc:...)")
            .doc("JDBC URL of an external database, such as `jdbc:postgresql://db.example:5432/holdfast`. When "
                    + "not set, Holdfast keeps its data in an embedded SQLite database in the data directory."));

    public static final Setting<String> STORE_USERNAME = add(Setting.define("store.username", SettingType.STRING)
            .optional()
            .doc("Database user, when `store.jdbcUrl` needs one."));

    public static final Setting<Path> STORE_PASSWORD_FILE = add(Setting.define("store.passwordFile", SettingType.SECRET_FILE)
            .optional()
            .doc("File holding the database password, when `store.jdbcUrl` needs one. Trailing line breaks are "
                    + "not part of the password."));

    public static final Setting<String> STORE_SCHEMA = add(Setting.define("store.schema", SettingType.STRING)
            .optional()
            .check(schema -> SCHEMA.matcher(schema).matches() ? null
                    : Spelling.quote(schema) + " is not a schema name (expected: lower case letters, digits and _, at most 63)")
            .doc("PostgreSQL schema for Holdfast's tables, created when missing; when not set, the connection's "
                    + "default schema."));

    public static final Setting<Integer> STORE_POOL_SIZE = add(Setting.define("store.poolSize", SettingType.INTEGER)
            .defaultValue(8).min(1).max(64).unit("connections")
            .doc("Most database connections kept open at once. SQLite allows one writer at a time whatever "
                    + "the pool size."));

    // pki ---------------------------------------------------------------------------------------------

    public static final Setting<KeyBackend> PKI_CA_KEY_BACKEND = add(Setting.define("pki.ca.keyBackend",
                    SettingType.enumeration(KeyBackend.class, KeyBackend::toString))
            .defaultValue(KeyBackend.PKCS12)
            .doc("Where the CA private keys live: `pkcs12` keeps them in passphrase-protected PKCS#12 files in "
                    + "the data directory; `pkcs11` keeps them in a hardware security module (or SoftHSM) that "
                    + "signs without ever releasing them."));

    public static final Setting<Path> PKI_CA_PASSPHRASE_FILE = add(Setting.define("pki.ca.passphraseFile", SettingType.SECRET_FILE)
            .optional()
            .doc("File holding the passphrase of the PKCS#12 key files. When not set, the passphrase comes from "
                    + "the environment variable `" + CA_PASSPHRASE_ENV + "`, and when that is not set either, "
                    + "Holdfast generates a random one into a file in the data directory (mode 0600) on first "
                    + "start. A passphrase kept next to the keys only protects copies of the key files; keep it "
                    + "on another volume or in a secret store for more."));

    public static final Setting<Path> PKI_CA_PKCS11_LIBRARY = add(Setting.define("pki.ca.pkcs11.library", SettingType.PATH)
            .defaultValue(Path.of("/usr/lib/softhsm/libsofthsm2.so"))
            .doc("The HSM vendor's PKCS#11 module (a shared library). Must exist when `pki.ca.keyBackend` is "
                    + "`pkcs11`. The default is SoftHSM 2 as Debian and Ubuntu install it."));

    public static final Setting<Long> PKI_CA_PKCS11_SLOT = add(Setting.define("pki.ca.pkcs11.slot", SettingType.LONG)
            .optional().min(0L)
            .doc("Slot id (`CK_SLOT_ID`) of the token that holds the CA keys. When unset, the token "
                    + "at `pki.ca.pkcs11.slotListIndex` is used."));

    public static final Setting<Integer> PKI_CA_PKCS11_SLOT_LIST_INDEX = add(Setting.define("pki.ca.pkcs11.slotListIndex", SettingType.INTEGER)
            .defaultValue(0).min(0).max(255)
            .doc("Index into the list of slots that hold a token, used when `pki.ca.pkcs11.slot` is unset "
                    + "(SunPKCS11 `slotListIndex`). With one initialized SoftHSM token, 0 is that token."));

    public static final Setting<Path> PKI_CA_PKCS11_PIN_FILE = add(Setting.define("pki.ca.pkcs11.pinFile", SettingType.SECRET_FILE)
            .optional()
            .doc("File holding the token's user PIN. Required when `pki.ca.keyBackend` is `pkcs11`."));

    public static final Setting<KeyAlgorithm> PKI_CA_KEY_ALGORITHM = add(Setting.define("pki.ca.keyAlgorithm",
                    SettingType.enumeration(KeyAlgorithm.class, KeyAlgorithm::name))
            .defaultValue(KeyAlgorithm.EC_P256)
            .doc("Key type of CAs created from now on; existing CAs keep theirs. `EC_P256` is understood by "
                    + "every TLS stack on constrained devices and `EC_P384` suits policies that ask for "
                    + "192-bit security."));

    public static final Setting<Duration> PKI_CA_ROOT_VALIDITY = add(Setting.define("pki.ca.rootValidity", SettingType.DURATION)
            .defaultValue(Duration.ofDays(7300)).min(Duration.ofDays(1))
            .doc("Validity of a newly created root CA certificate. Devices and clients trust the root, so it "
                    + "should outlive every certificate under it: replacing it means redistributing the trust "
                    + "bundle."));

    public static final Setting<Duration> PKI_CA_ISSUING_VALIDITY = add(Setting.define("pki.ca.issuingValidity", SettingType.DURATION)
            .defaultValue(Duration.ofDays(3650)).min(Duration.ofDays(1))
            .doc("Validity of a newly created issuing (intermediate) CA certificate; at most "
                    + "`pki.ca.rootValidity`."));

    public static final Setting<Duration> PKI_PROFILES_DEVICE_MAX_VALIDITY = add(Setting.define(
                    "pki.profiles.device.maxValidity", SettingType.DURATION)
            .defaultValue(Duration.ofDays(365)).min(Duration.ofHours(1))
            .doc("Longest validity of a device's operational certificate (LDevID). Enrollment groups may ask "
                    + "for less, never more; devices renew over EST before it ends. At most "
                    + "`pki.ca.issuingValidity`."));

    public static final Setting<Duration> PKI_PROFILES_GATEWAY_MAX_VALIDITY = add(Setting.define(
                    "pki.profiles.gateway.maxValidity", SettingType.DURATION)
            .defaultValue(Duration.ofDays(365)).min(Duration.ofHours(1))
            .doc("Longest validity of an edge gateway's certificate. At most `pki.ca.issuingValidity`."));

    public static final Setting<Duration> PKI_PROFILES_SERVER_MAX_VALIDITY = add(Setting.define(
                    "pki.profiles.server.maxValidity", SettingType.DURATION)
            .defaultValue(Duration.ofDays(397)).min(Duration.ofHours(1))
            .doc("Longest validity of a TLS server certificate, Holdfast's own included. 397 days is the "
                    + "CA/Browser Forum limit, which some clients apply to every server certificate. At most "
                    + "`pki.ca.issuingValidity`."));

    public static final Setting<Duration> PKI_PROFILES_SENSOR_MAX_VALIDITY = add(Setting.define(
                    "pki.profiles.sensor.maxValidity", SettingType.DURATION)
            .defaultValue(Duration.ofDays(365)).min(Duration.ofHours(1))
            .doc("Longest validity of a network sensor's certificate. At most `pki.ca.issuingValidity`."));

    public static final Setting<Duration> PKI_PROFILES_OCSP_RESPONDER_MAX_VALIDITY = add(Setting.define(
                    "pki.profiles.ocspResponder.maxValidity", SettingType.DURATION)
            .defaultValue(Duration.ofDays(30)).min(Duration.ofHours(1))
            .doc("Longest validity of an OCSP responder certificate (a delegated responder, RFC 6960 section "
                    + "4.2.2.2). It carries id-pkix-ocsp-nocheck, so clients do not check whether it was "
                    + "revoked: keep it short. Longer than `pki.ocsp.responseValidity`."));

    public static final Setting<Duration> PKI_CRL_VALIDITY = add(Setting.define("pki.crl.validity", SettingType.DURATION)
            .defaultValue(Duration.ofDays(7)).min(Duration.ofHours(1))
            .doc("How long each CRL is valid, from thisUpdate to nextUpdate (RFC 5280 section 5.1.2.5). A "
                    + "client that caches CRLs may miss a revocation for this long; the hub itself learns of "
                    + "revocations at once."));

    public static final Setting<Duration> PKI_CRL_REFRESH_INTERVAL = add(Setting.define("pki.crl.refreshInterval", SettingType.DURATION)
            .defaultValue(Duration.ofHours(1)).min(Duration.ofMinutes(1))
            .doc("How often a new CRL is published, with or without new revocations. Shorter than "
                    + "`pki.crl.validity`, so that a valid CRL is always available."));

    public static final Setting<Duration> PKI_OCSP_RESPONSE_VALIDITY = add(Setting.define("pki.ocsp.responseValidity", SettingType.DURATION)
            .defaultValue(Duration.ofHours(1)).min(Duration.ofMinutes(1))
            .doc("How long a signed OCSP response is valid, from thisUpdate to nextUpdate (RFC 6960 section "
                    + "2.4): clients and stapling servers may cache a `good` answer for this long."));

    public static final Setting<Duration> PKI_EST_BOOTSTRAP_TOKEN_VALIDITY = add(Setting.define(
                    "pki.est.bootstrapTokenValidity", SettingType.DURATION)
            .defaultValue(Duration.ofHours(24)).min(Duration.ofMinutes(1))
            .doc("How long a one-time bootstrap token for a device's first EST enrollment stays usable (HTTP "
                    + "authentication of the client, RFC 7030 section 3.2.3)."));

    public static final Setting<Double> PKI_EST_RENEWAL_WINDOW = add(Setting.define("pki.est.renewalWindow", SettingType.DECIMAL)
            .defaultValue(0.6667).min(0.1).max(1.0).unit("fraction of the certificate's lifetime")
            .doc("When re-enrollment (RFC 7030 section 4.2.2) is offered to a device: once this fraction of "
                    + "its certificate's lifetime has passed. `0.6667` is after two thirds, which leaves a "
                    + "device that is offline for a while time to renew before expiry."));

    public static final Setting<List<Path>> PKI_EST_TRUSTED_MANUFACTURER_CAS = add(Setting.define(
                    "pki.est.trustedManufacturerCas", SettingType.list(SettingType.FILE))
            .defaultValue(List.of())
            .doc("PEM files with manufacturer CA certificates. Devices whose factory certificate (IDevID, IEEE "
                    + "802.1AR) chains to one of them may enroll over EST with TLS client authentication. "
                    + "Enrollment groups add manufacturer CAs at run time; these are trusted from the start."));

    public static final Setting<Duration> PKI_EXPIRY_WARNING_WINDOW = add(Setting.define("pki.expiry.warningWindow", SettingType.DURATION)
            .defaultValue(Duration.ofDays(30)).min(Duration.ofDays(1))
            .doc("How long before a certificate expires it is reported as expiring, with a security event "
                    + "and a posture finding."));

    // events ------------------------------------------------------------------------------------------

    public static final Setting<Duration> EVENTS_RETENTION = add(Setting.define("events.retention", SettingType.DURATION)
            .defaultValue(Duration.ofDays(90)).min(Duration.ofDays(1))
            .doc("How long security events stay in the local event log. Exporters (syslog, SIEM) receive "
                    + "events as they happen, so this bounds only the history kept here."));

    // events: exporters to SIEMs, alert rules, retention schedule (issue 6) ---------------------------

    public static final Setting<Duration> EVENTS_RETENTION_INTERVAL = add(Setting.define("events.retentionInterval", SettingType.DURATION)
            .defaultValue(Duration.ofHours(1)).min(Duration.ofSeconds(1))
            .doc("How often events older than events.retention are deleted, in small batches between appends."));

    public static final Setting<List<dev.holdfast.server.events.ExporterConfig>> EVENTS_EXPORTERS = add(Setting.define("events.exporters",
                    SettingType.objects("exporter", "exporters", EventSettingsReaders::exporter))
            .defaultValue(List.of())
            .doc("Where security events are sent, each with its own durable cursor: a list of mappings with name, type "
                    + "(syslog, webhook, kafka or file), optional classes, minSeverity, batchSize, backoff.initial and "
                    + "backoff.max, and the type's own fields (docs/events.md). In the environment: a JSON array."));

    public static final Setting<List<dev.holdfast.events.alert.AlertRule>> EVENTS_ALERT_RULES = add(Setting.define("events.alertRules",
                    SettingType.objects("alert rule", "alert rules", EventSettingsReaders::alertRule))
            .defaultValue(List.of())
            .doc("Alert rules over the event stream, each emitting detection findings: a list of mappings with name, type "
                    + "(threshold, certificateExpiry or newNetwork), severity, and a CEL condition (docs/events.md)."));

    public static final Setting<Duration> EVENTS_CERTIFICATE_CHECK_INTERVAL = add(Setting.define(
                    "events.certificateCheckInterval", SettingType.DURATION)
            .defaultValue(Duration.ofHours(1)).min(Duration.ofSeconds(1))
            .doc("How often certificateExpiry alert rules look at the unrevoked certificates."));
    // provisioning ------------------------------------------------------------------------------------

    public static final Setting<String> PROVISIONING_REGION = add(Setting.define("provisioning.region", SettingType.STRING)
            .optional()
            .doc("The region this provisioning service runs in, such as `eu-west`. Lowest-latency allocation "
                    + "prefers linked hubs of the device's region, then of this one."));

    public static final Setting<Integer> PROVISIONING_RATE_LIMIT_PER_DEVICE = add(Setting.define(
                    "provisioning.rateLimit.perDevicePerMinute", SettingType.INTEGER)
            .defaultValue(10).min(0).unit("requests per minute")
            .doc("Registration requests one registration id may make per minute on one node (also the burst). "
                    + "More are refused with 429. `0` turns the limit off."));

    public static final Setting<Integer> PROVISIONING_RATE_LIMIT_PER_SOURCE = add(Setting.define(
                    "provisioning.rateLimit.perSourcePerMinute", SettingType.INTEGER)
            .defaultValue(6000).min(0).unit("requests per minute")
            .doc("Registration and status requests one source address may make per minute on one node (also "
                    + "the burst); a factory behind one NAT address counts as one source. `0` turns the limit off."));

    public static final Setting<Integer> PROVISIONING_RETRY_AFTER = add(Setting.define("provisioning.retryAfter", SettingType.INTEGER)
            .defaultValue(2).min(1).max(60).unit("seconds")
            .doc("The `Retry-After` devices receive with a registration operation before they poll it. The "
                    + "Azure SDKs clamp it to 2..5 seconds."));

    public static final Setting<List<Path>> PROVISIONING_WEBHOOK_TRUSTED_CAS = add(Setting.define(
                    "provisioning.webhook.trustedCas", SettingType.list(SettingType.FILE))
            .defaultValue(List.of())
            .doc("PEM files with the CA certificates that custom allocation webhooks' server certificates must "
                    + "chain to. Empty: the JDK's default trust store."));
    // provisioning: TPM attestation -----------------------------------------------------------------

    public static final Setting<Path> PROVISIONING_TPM_EK_ROOTS_DIRECTORY = add(Setting.define(
                    "provisioning.tpm.ekRootsDirectory", SettingType.PATH)
            .optional()
            .doc("A directory of TPM manufacturer CA certificates (PEM or DER, one or more per file; self-signed ones "
                    + "are roots, the others intermediates) that EK certificates of TPM devices must chain to. Unset: "
                    + "EK certificates are refused and TPM devices attest with the EK public key their individual "
                    + "enrollment names."));

    // posture -----------------------------------------------------------------------------------------

    public static final Setting<Duration> POSTURE_EVALUATION_INTERVAL = add(Setting.define("posture.evaluationInterval", SettingType.DURATION)
            .defaultValue(Duration.ofHours(6)).min(Duration.ofMinutes(1))
            .doc("How often the whole fleet is re-evaluated on a schedule. Devices are also re-evaluated as soon as "
                    + "their reported properties, their firmware's SBOM, the advisories or their certificates change."));

    public static final Setting<Duration> POSTURE_END_OF_SUPPORT_WARNING = add(Setting.define("posture.endOfSupportWarning", SettingType.DURATION)
            .defaultValue(Duration.ofDays(180)).min(Duration.ZERO)
            .doc("A device whose model reaches its end of support within this is flagged (low severity)."));

    private static final Catalogue CATALOGUE = new Catalogue(DEFINED, rules(), Map.of(
            "server", "The HTTPS listener and the server's own identity.",
            "hub", "The device hub's MQTT listener.",
            "store", "Where Holdfast keeps its data: an embedded SQLite database by default, or PostgreSQL.",
            "pki", "The certificate authorities: their keys, the certificates they issue, revocation (CRL, "
                    + "OCSP) and enrollment over EST.",

            "provisioning", "Zero-touch provisioning: DPS over HTTPS, allocation and rate limits.",
            "events", "The security event log, its exporters to SIEMs, and alert rules.",
            "posture", "Vulnerability, configuration and credential evaluation of devices."));

    private Settings() {
    }

    /** Every setting, in documentation order. */
    public static List<Setting<?>> all() {
        return CATALOGUE.settings();
    }

    /** The setting with this key, if there is one. */
    public static Optional<Setting<?>> byKey(String key) {
        return CATALOGUE.setting(key);
    }

    static Catalogue catalogue() {
        return CATALOGUE;
    }

    private static <T> Setting<T> add(Setting.Builder<T> builder) {
        Setting<T> setting = builder.build();
        DEFINED.add(setting);
        return setting;
    }

    private static List<Rule> rules() {
        List<Rule> rules = new ArrayList<>();
        rules.add(new Rule(EVENTS_EXPORTERS.key(), c -> duplicate(c.find(EVENTS_EXPORTERS).orElse(List.of()).stream().map(e -> e.spec().name()).toList())));
        rules.add(new Rule(HUB_ROUTES.key(), c -> duplicate(c.find(HUB_ROUTES).orElse(List.of()).stream().map(r -> r.name()).toList())));
        rules.add(new Rule(EVENTS_ALERT_RULES.key(), c -> duplicate(c.find(EVENTS_ALERT_RULES).orElse(List.of()).stream().map(r -> r.name()).toList())));
        rules.add(new Rule(PKI_CA_PKCS11_PIN_FILE.key(), c -> usesPkcs11(c) && c.find(PKI_CA_PKCS11_PIN_FILE).isEmpty()
                ? "required when pki.ca.keyBackend is pkcs11" : null));
        rules.add(new Rule(PKI_CA_PKCS11_LIBRARY.key(), c -> {
            Optional<Path> library = c.find(PKI_CA_PKCS11_LIBRARY);
            return usesPkcs11(c) && library.isPresent() && !Files.isRegularFile(library.get())
                    ? library.get() + " does not exist (required when pki.ca.keyBackend is pkcs11)" : null;
        }));
        rules.add(atMost(PKI_CA_ISSUING_VALIDITY, PKI_CA_ROOT_VALIDITY));
        for (Setting<Duration> profile : List.of(PKI_PROFILES_DEVICE_MAX_VALIDITY, PKI_PROFILES_GATEWAY_MAX_VALIDITY,
                PKI_PROFILES_SERVER_MAX_VALIDITY, PKI_PROFILES_SENSOR_MAX_VALIDITY, PKI_PROFILES_OCSP_RESPONDER_MAX_VALIDITY)) {
            rules.add(atMost(profile, PKI_CA_ISSUING_VALIDITY));
        }
        rules.add(shorterThan(PKI_CRL_REFRESH_INTERVAL, PKI_CRL_VALIDITY));
        rules.add(shorterThan(PKI_OCSP_RESPONSE_VALIDITY, PKI_PROFILES_OCSP_RESPONDER_MAX_VALIDITY));
        for (Setting<?> credential : List.of(STORE_USERNAME, STORE_PASSWORD_FILE, STORE_SCHEMA)) {
            rules.add(new Rule(credential.key(), c -> c.find(credential).isPresent() && c.find(STORE_JDBC_URL).isEmpty()
                    ? "set, but store.jdbcUrl is not (the embedded SQLite store uses neither credentials nor schemas)"
                    : null));
        }
        return rules;
    }

    /** "name 'x' is used twice", or null when every name is unique. */
    private static String duplicate(List<String> names) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String n : names) if (!seen.add(n)) return "name '" + n + "' is used twice (expected: unique names)";
        return null;
    }

    private static boolean usesPkcs11(HoldfastConfig c) {
        return c.find(PKI_CA_KEY_BACKEND).orElse(null) == KeyBackend.PKCS11;
    }

    private static Rule atMost(Setting<Duration> setting, Setting<Duration> limit) {
        return new Rule(setting.key(), c -> {
            Optional<Duration> value = c.find(setting);
            Optional<Duration> bound = c.find(limit);
            if (value.isEmpty() || bound.isEmpty() || value.get().compareTo(bound.get()) <= 0) return null;
            return setting.type().format(value.get()) + " exceeds " + limit.key() + " " + limit.type().format(bound.get());
        });
    }

    private static Rule shorterThan(Setting<Duration> setting, Setting<Duration> limit) {
        return new Rule(setting.key(), c -> {
            Optional<Duration> value = c.find(setting);
            Optional<Duration> bound = c.find(limit);
            if (value.isEmpty() || bound.isEmpty() || value.get().compareTo(bound.get()) < 0) return null;
            return setting.type().format(value.get()) + " is not shorter than " + limit.key() + " "
                    + limit.type().format(bound.get());
        });
    }

    /**
     * The machine's host name, looked up once per load. A name that is not a valid DNS name cannot go into
     * a certificate, so it fails loudly rather than falling back to {@code localhost}, which would send
     * every device to itself.
     */
    private static String localHostName() {
        String name;
        try {
            name = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            throw new IllegalStateException("cannot determine this machine's host name (" + e.getMessage()
                    + "); set server.publicHostname");
        }
        List<String> problems = new ArrayList<>();
        String checked = SettingType.HOST.parse(name, (suffix, message) -> problems.add(message));
        if (checked == null) {
            throw new IllegalStateException("this machine's host name " + Spelling.quote(name)
                    + " is not a valid DNS name; set server.publicHostname");
        }
        return checked;
    }
}
