package dev.holdfast.server.events;

import dev.holdfast.events.export.ExporterSpec;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** One entry of {@code events.exporters}, as the configuration declares it; {@link EventsAssembly} builds the exporter. */
public sealed interface ExporterConfig {
    ExporterSpec spec();

    /** The transport's name in the configuration, metrics and status. */
    String type();

    /** Syslog over TLS (RFC 5425) with CEF; {@code caFile} absent means the JDK's trusted roots. */
    record Syslog(ExporterSpec spec, String host, int port, Optional<Path> caFile, Optional<Path> clientCertificateFile,
                  Optional<Path> clientKeyFile, int facility, Duration confirmDelay, Duration connectTimeout) implements ExporterConfig {
        @Override
        public String type() {
            return "syslog";
        }
    }

    /** OCSF JSON to an HTTPS webhook, signed with the secret from {@code secretFile} or the variable {@code secretEnv}. */
    record Webhook(ExporterSpec spec, URI url, Optional<Path> caFile, Optional<Path> secretFile, Optional<String> secretEnv,
                   Duration timeout) implements ExporterConfig {
        @Override
        public String type() {
            return "webhook";
        }
    }

    /** OCSF JSON records on a Kafka topic; {@code properties} go to the producer as they are. */
    record Kafka(ExporterSpec spec, String bootstrapServers, String topic, Map<String, String> properties, Duration timeout)
            implements ExporterConfig {
        public Kafka {
            properties = Map.copyOf(properties);
        }

        @Override
        public String type() {
            return "kafka";
        }
    }

    /** OCSF JSON Lines in a file rotated at {@code maxBytes}, keeping {@code keep} old files. */
    record File(ExporterSpec spec, Path path, long maxBytes, int keep) implements ExporterConfig {
        @Override
        public String type() {
            return "file";
        }
    }
}
