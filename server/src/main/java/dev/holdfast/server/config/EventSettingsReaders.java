package dev.holdfast.server.config;

import dev.holdfast.events.EventClass;
import dev.holdfast.events.Severity;
import dev.holdfast.events.alert.AlertRule;
import dev.holdfast.events.alert.EventCondition;
import dev.holdfast.events.export.ExporterSpec;
import dev.holdfast.server.events.ExporterConfig;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** How {@code events.exporters} and {@code events.alertRules} entries are read; docs/events.md shows examples. */
final class EventSettingsReaders {
    private EventSettingsReaders() {
    }

    enum ExporterType { SYSLOG, WEBHOOK, KAFKA, FILE }

    enum RuleType { THRESHOLD, CERTIFICATE_EXPIRY, NEW_NETWORK }

    private static final SettingType<ExporterType> EXPORTER_TYPE =
            SettingType.enumeration(ExporterType.class, t -> t.name().toLowerCase(Locale.ROOT));
    private static final SettingType<RuleType> RULE_TYPE = SettingType.enumeration(RuleType.class, t -> switch (t) {
        case THRESHOLD -> "threshold";
        case CERTIFICATE_EXPIRY -> "certificateExpiry";
        case NEW_NETWORK -> "newNetwork";
    });
    static final SettingType<EventClass> EVENT_CLASS = SettingType.enumeration(EventClass.class, c -> c.name().toLowerCase(Locale.ROOT));
    static final SettingType<Severity> SEVERITY = SettingType.enumeration(Severity.class, s -> s.name().toLowerCase(Locale.ROOT));
    private static final Pattern ENV_NAME = Pattern.compile("[A-Z_][A-Z0-9_]*");

    static ExporterConfig exporter(ObjectFields f) {
        String name = f.required("name", SettingType.STRING);
        ExporterType type = f.required("type", EXPORTER_TYPE);
        List<EventClass> classes = f.get("classes", SettingType.list(EVENT_CLASS), List.of());
        Severity minSeverity = f.get("minSeverity", SEVERITY, Severity.UNKNOWN);
        Integer batchSize = f.get("batchSize", SettingType.INTEGER, 500);
        Duration initial = f.get("backoff.initial", SettingType.DURATION, Duration.ofSeconds(1));
        Duration max = f.get("backoff.max", SettingType.DURATION, Duration.ofMinutes(5));
        ExporterSpec spec = null;
        if (name != null && batchSize != null && initial != null && max != null) {
            try {
                spec = new ExporterSpec(name, new HashSet<>(classes == null ? List.of() : classes), minSeverity, batchSize, initial, max);
            } catch (IllegalArgumentException e) {
                String field = e.getMessage().substring(0, Math.max(0, e.getMessage().indexOf(':')));
                f.report(switch (field) {
                    case "initialBackoff" -> "backoff.initial";
                    case "maxBackoff" -> "backoff.max";
                    default -> field;
                }, e.getMessage().substring(e.getMessage().indexOf(':') + 1).strip());
            }
        }
        if (type == null) return null;
        ExporterConfig config = switch (type) {
            case SYSLOG -> {
                String host = f.required("host", SettingType.HOST);
                Integer port = f.get("port", SettingType.INTEGER, 6514);
                if (port != null && (port < 1 || port > 65535)) f.report("port", port + " is not a TCP port (expected: 1..65535)");
                Optional<Path> ca = f.optional("tls.caFile", SettingType.FILE);
                Optional<Path> cert = f.optional("tls.certificateFile", SettingType.FILE);
                Optional<Path> key = f.optional("tls.keyFile", SettingType.SECRET_FILE);
                if (cert.isPresent() != key.isPresent() && !f.isAbsent(cert.isPresent() ? "tls.certificateFile" : "tls.keyFile")) {
                    f.report(cert.isPresent() ? "tls.keyFile" : "tls.certificateFile", "required with the other (expected: both or neither)");
                }
                Integer facility = f.get("facility", SettingType.INTEGER, 10);
                if (facility != null && (facility < 0 || facility > 23)) f.report("facility", facility + " is not a syslog facility (expected: 0..23)");
                Duration confirm = f.get("confirmDelay", SettingType.DURATION, Duration.ofSeconds(2));
                Duration connect = f.get("connectTimeout", SettingType.DURATION, Duration.ofSeconds(10));
                yield spec == null || host == null || port == null || facility == null || confirm == null || connect == null ? null
                        : new ExporterConfig.Syslog(spec, host, port, ca, cert, key, facility, confirm, connect);
            }
            case WEBHOOK -> {
                String url = f.required("url", SettingType.STRING);
                URI uri = null;
                if (url != null) {
                    try {
                        uri = new URI(url);
                        if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
                            f.report("url", "'" + url + "' is not an https URL (expected: https://host[:port]/path)");
                            uri = null;
                        }
                    } catch (URISyntaxException e) {
                        f.report("url", "is not a URL (" + e.getReason() + ")");
                    }
                }
                Optional<Path> ca = f.optional("tls.caFile", SettingType.FILE);
                Optional<Path> secretFile = f.optional("secretFile", SettingType.SECRET_FILE);
                Optional<String> secretEnv = f.optional("secretEnv", SettingType.STRING);
                secretEnv.ifPresent(v -> {
                    if (!ENV_NAME.matcher(v).matches()) f.report("secretEnv", "is not an environment variable name (expected: the NAME of the variable, not the secret)");
                });
                if (secretFile.isPresent() == secretEnv.isPresent() && f.isAbsent("secretFile") == f.isAbsent("secretEnv")) {
                    f.report("secretFile", "exactly one of secretFile and secretEnv is required (the HMAC key)");
                }
                Duration timeout = f.get("timeout", SettingType.DURATION, Duration.ofSeconds(10));
                yield spec == null || uri == null || timeout == null ? null
                        : new ExporterConfig.Webhook(spec, uri, ca, secretFile, secretEnv, timeout);
            }
            case KAFKA -> {
                String servers = f.required("bootstrapServers", SettingType.STRING);
                String topic = f.required("topic", SettingType.STRING);
                Map<String, String> props = f.under("properties");
                Duration timeout = f.get("timeout", SettingType.DURATION, Duration.ofSeconds(30));
                yield spec == null || servers == null || topic == null || timeout == null ? null
                        : new ExporterConfig.Kafka(spec, servers, topic, props, timeout);
            }
            case FILE -> {
                Path path = f.required("path", SettingType.PATH);
                Long maxBytes = f.get("maxBytes", SettingType.LONG, 100L * 1024 * 1024);
                if (maxBytes != null && maxBytes < 1024) f.report("maxBytes", maxBytes + " is below minimum 1024");
                Integer keep = f.get("keep", SettingType.INTEGER, 10);
                if (keep != null && (keep < 1 || keep > 1000)) f.report("keep", keep + " is out of range (expected: 1..1000)");
                yield spec == null || path == null || maxBytes == null || keep == null ? null : new ExporterConfig.File(spec, path, maxBytes, keep);
            }
        };
        return config;
    }

    static AlertRule alertRule(ObjectFields f) {
        String name = f.required("name", SettingType.STRING);
        RuleType type = f.required("type", RULE_TYPE);
        Severity severity = f.get("severity", SEVERITY, Severity.MEDIUM);
        if (name != null && !AlertRule.NAME.matcher(name).matches()) {
            f.report("name", "'" + name + "' (expected: 1-64 lower-case letters, digits, '-' or '_')");
            return null;
        }
        if (type == null || name == null || severity == null) return null;
        try {
            return switch (type) {
                case THRESHOLD -> {
                    EventCondition condition = condition(f, true);
                    List<String> groupBy = f.get("groupBy", SettingType.list(SettingType.STRING), List.of());
                    Integer count = f.required("count", SettingType.INTEGER);
                    Duration window = f.required("window", SettingType.DURATION);
                    yield condition == null || groupBy == null || count == null || window == null ? null
                            : new AlertRule.Threshold(name, condition, groupBy, count, window, severity);
                }
                case CERTIFICATE_EXPIRY -> {
                    Duration within = f.required("within", SettingType.DURATION);
                    yield within == null ? null : new AlertRule.CertificateExpiry(name, within, severity);
                }
                case NEW_NETWORK -> {
                    EventCondition condition = f.isAbsent("condition")
                            ? EventCondition.compile("event.class == 'AUTHENTICATION' && event.outcome == 'SUCCESS'")
                            : condition(f, true);
                    String detail = f.get("addressDetail", SettingType.STRING, "sourceAddress");
                    Integer v4 = f.get("ipv4Prefix", SettingType.INTEGER, 24);
                    Integer v6 = f.get("ipv6Prefix", SettingType.INTEGER, 64);
                    yield condition == null || detail == null || v4 == null || v6 == null ? null
                            : new AlertRule.NewNetwork(name, condition, detail, v4, v6, severity);
                }
            };
        } catch (IllegalArgumentException e) {
            String msg = e.getMessage();
            int colon = msg.indexOf(':');
            f.report(colon > 0 && !msg.substring(0, colon).contains(" ") ? msg.substring(0, colon) : "", colon > 0 ? msg.substring(colon + 1).strip() : msg);
            return null;
        }
    }

    private static EventCondition condition(ObjectFields f, boolean required) {
        String text = required ? f.required("condition", SettingType.STRING) : f.optional("condition", SettingType.STRING).orElse(null);
        if (text == null) return null;
        try {
            return EventCondition.compile(text);
        } catch (IllegalArgumentException e) {
            f.report("condition", e.getMessage().lines().findFirst().orElse("does not compile"));
            return null;
        } catch (RuntimeException e) {
            // The CEL compiler is a parser of operator input like any other: its surprises are refusals, not crashes.
            f.report("condition", "does not compile (" + e.getClass().getSimpleName() + ")");
            return null;
        }
    }
}
