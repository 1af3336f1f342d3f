package dev.holdfast.server.config;

import dev.holdfast.hub.routing.Route;
import dev.holdfast.hub.routing.RouteCondition;
import dev.holdfast.hub.routing.RouteEndpoint;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** How {@code hub.routes} entries are read; docs/hub.md shows examples. */
final class HubSettingsReaders {
    private HubSettingsReaders() {
    }

    enum EndpointType { STORE, FILE, WEBHOOK }

    private static final SettingType<EndpointType> ENDPOINT_TYPE =
            SettingType.enumeration(EndpointType.class, t -> t.name().toLowerCase(Locale.ROOT));

    static Route route(ObjectFields f) {
        String name = f.required("name", SettingType.STRING);
        String conditionText = f.get("condition", SettingType.STRING, "true");
        EndpointType type = f.required("endpoint", ENDPOINT_TYPE);
        RouteCondition condition = null;
        if (conditionText != null) {
            try {
                condition = RouteCondition.compile(conditionText);
            } catch (IllegalArgumentException e) {
                f.report("condition", e.getMessage().lines().findFirst().orElse("does not compile"));
            } catch (RuntimeException e) {
                // The CEL compiler parses operator input: its surprises are refusals, not crashes.
                f.report("condition", "does not compile (" + e.getClass().getSimpleName() + ")");
            }
        }
        if (type == null) return null;
        RouteEndpoint endpoint = null;
        try {
            endpoint = switch (type) {
                case STORE -> new RouteEndpoint.Store();
                case FILE -> {
                    Path path = f.required("path", SettingType.PATH);
                    Long maxBytes = f.get("maxBytes", SettingType.LONG, 100L * 1024 * 1024);
                    Integer keep = f.get("keep", SettingType.INTEGER, 10);
                    yield path == null || maxBytes == null || keep == null ? null : new RouteEndpoint.JsonLines(path, maxBytes, keep);
                }
                case WEBHOOK -> {
                    String url = f.required("url", SettingType.STRING);
                    URI uri = null;
                    if (url != null) {
                        try {
                            uri = new URI(url);
                        } catch (URISyntaxException e) {
                            f.report("url", "is not a URL (" + e.getReason() + ")");
                        }
                    }
                    Optional<Path> ca = f.optional("tls.caFile", SettingType.FILE);
                    List<X509Certificate> roots = ca.map(p -> certificates(p, f)).orElse(List.of());
                    Duration timeout = f.get("timeout", SettingType.DURATION, Duration.ofSeconds(10));
                    Duration initial = f.get("backoff.initial", SettingType.DURATION, Duration.ofSeconds(1));
                    Duration max = f.get("backoff.max", SettingType.DURATION, Duration.ofMinutes(5));
                    yield uri == null || roots == null || timeout == null || initial == null || max == null ? null
                            : new RouteEndpoint.Webhook(uri, roots, timeout, initial, max);
                }
            };
        } catch (IllegalArgumentException e) {
            String msg = e.getMessage();
            int colon = msg.indexOf(':');
            f.report(colon > 0 && !msg.substring(0, colon).contains(" ") ? msg.substring(0, colon) : "", colon > 0 ? msg.substring(colon + 1).strip() : msg);
            return null;
        }
        if (name == null || condition == null || endpoint == null) return null;
        try {
            return new Route(name, condition, endpoint);
        } catch (IllegalArgumentException e) {
            f.report("name", e.getMessage().substring(e.getMessage().indexOf(':') + 1).strip());
            return null;
        }
    }

    private static List<X509Certificate> certificates(Path file, ObjectFields f) {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> out = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) out.add((X509Certificate) c);
            if (out.isEmpty()) f.report("tls.caFile", file + " holds no certificate (expected: PEM CA certificates)");
            return out.isEmpty() ? null : out;
        } catch (IOException | CertificateException e) {
            f.report("tls.caFile", file + " is not PEM certificates (" + e.getMessage() + ")");
            return null;
        }
    }
}
