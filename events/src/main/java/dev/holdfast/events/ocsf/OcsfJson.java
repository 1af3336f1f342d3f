package dev.holdfast.events.ocsf;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.holdfast.events.EventClass;
import dev.holdfast.events.SecurityEvent;
import dev.holdfast.events.StoredEvent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * Writes events as OCSF 1.3 JSON objects, the shape SIEMs with an OCSF mapping (Sentinel's ASIM,
 * Amazon Security Lake, Splunk's OCSF add-on) read without a parser of their own.
 *
 * <p>Mapping: {@code class_uid}, {@code category_uid} and their names from {@link EventClass};
 * {@code activity_id} 99 (Other) with our verb in {@code activity_name}, because Holdfast's activities
 * (such as {@code certificate.revoked}) are finer than OCSF's per-class activity enumerations;
 * {@code type_uid} = class_uid × 100 + activity_id as OCSF defines it; {@code time} in epoch
 * milliseconds; {@code severity_id}; {@code status_id} 1 success, 2 failure, 0 unknown;
 * {@code metadata.uid} the UUIDv7 and {@code metadata.sequence} the log's sequence number (receivers
 * deduplicate on the uid); {@code device.uid}; {@code actor.user.name}; and the details with the
 * source module under {@code unmapped}.
 */
public final class OcsfJson {
    public static final String OCSF_VERSION = "1.3.0";
    private static final JsonFactory FACTORY = new JsonFactory();

    private OcsfJson() {
    }

    public static byte[] toJson(StoredEvent e) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        write(e, out);
        return out.toByteArray();
    }

    /** A JSON array of the events, for one webhook delivery. */
    public static byte[] toJsonArray(List<StoredEvent> events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(events.size() * 512 + 2);
        out.write('[');
        for (int i = 0; i < events.size(); i++) {
            if (i > 0) out.write(',');
            write(events.get(i), out);
        }
        out.write(']');
        return out.toByteArray();
    }

    public static void write(StoredEvent stored, OutputStream out) {
        SecurityEvent e = stored.event();
        EventClass c = e.eventClass();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
            g.writeStartObject();
            g.writeNumberField("class_uid", c.classUid());
            g.writeStringField("class_name", c.caption());
            g.writeNumberField("category_uid", c.categoryUid());
            g.writeStringField("category_name", categoryName(c.categoryUid()));
            g.writeNumberField("activity_id", 99);
            g.writeStringField("activity_name", e.activity());
            g.writeNumberField("type_uid", c.classUid() * 100L + 99);
            g.writeNumberField("time", e.time().toEpochMilli());
            g.writeStringField("time_dt", DateTimeFormatter.ISO_INSTANT.format(e.time()));
            g.writeNumberField("severity_id", e.severity().id());
            g.writeStringField("severity", severityName(e.severity()));
            g.writeNumberField("status_id", switch (e.outcome()) {
                case SUCCESS -> 1;
                case FAILURE -> 2;
                case UNKNOWN -> 0;
            });
            g.writeStringField("status", switch (e.outcome()) {
                case SUCCESS -> "Success";
                case FAILURE -> "Failure";
                case UNKNOWN -> "Unknown";
            });
            g.writeStringField("message", e.message());
            g.writeObjectFieldStart("metadata");
            g.writeStringField("uid", e.id().toString());
            g.writeNumberField("sequence", stored.sequence());
            g.writeStringField("version", OCSF_VERSION);
            g.writeStringField("log_name", "security_event");
            g.writeObjectFieldStart("product");
            g.writeStringField("name", "Holdfast");
            g.writeStringField("vendor_name", "Holdfast");
            g.writeStringField("feature", e.sourceModule());
            g.writeEndObject();
            g.writeEndObject();
            if (e.deviceId().isPresent()) {
                g.writeObjectFieldStart("device");
                g.writeStringField("uid", e.deviceId().get());
                g.writeNumberField("type_id", 99);
                g.writeEndObject();
            }
            g.writeObjectFieldStart("actor");
            g.writeObjectFieldStart("user");
            g.writeStringField("name", e.actor());
            g.writeEndObject();
            g.writeEndObject();
            g.writeObjectFieldStart("unmapped");
            g.writeStringField("source_module", e.sourceModule());
            for (Map.Entry<String, String> d : e.details().entrySet()) g.writeStringField(d.getKey(), d.getValue());
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** OCSF 1.x category captions. */
    static String categoryName(int categoryUid) {
        return switch (categoryUid) {
            case 1 -> "System Activity";
            case 2 -> "Findings";
            case 3 -> "Identity & Access Management";
            case 4 -> "Network Activity";
            case 5 -> "Discovery";
            case 6 -> "Application Activity";
            default -> "Other";
        };
    }

    static String severityName(dev.holdfast.events.Severity s) {
        return switch (s) {
            case UNKNOWN -> "Unknown";
            case INFORMATIONAL -> "Informational";
            case LOW -> "Low";
            case MEDIUM -> "Medium";
            case HIGH -> "High";
            case CRITICAL -> "Critical";
            case FATAL -> "Fatal";
        };
    }
}
