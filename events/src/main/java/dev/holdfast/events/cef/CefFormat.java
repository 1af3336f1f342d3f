package dev.holdfast.events.cef;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.events.SecurityEvent;
import dev.holdfast.events.Severity;
import dev.holdfast.events.StoredEvent;

/**
 * ArcSight Common Event Format (CEF 0, "Implementing ArcSight CEF" rev. 25), the payload most SIEM
 * syslog collectors (Sentinel's AMA CEF connector, Splunk, QRadar, Elastic) parse natively.
 *
 * <p>{@code CEF:0|Holdfast|Holdfast|version|activity|name|severity|extensions}. Escaping: in the header
 * a backslash and a pipe are escaped with a backslash, and line breaks (not allowed there) become
 * spaces; in extension values a backslash and an equals sign are escaped with a backslash and CR/LF
 * are written as {@code \r} and {@code \n}. The full message therefore always travels in {@code msg}.
 *
 * <p>Extension keys: {@code rt} (event time, epoch ms), {@code externalId} (the UUIDv7),
 * {@code cat} (OCSF class name), {@code outcome}, {@code deviceExternalId}, {@code suser} (actor),
 * {@code msg}, {@code cn1}=OCSF class uid, {@code cn2}=sequence number, {@code cs1}=source module,
 * {@code cs2}=OCSF severity name, {@code cs3}=unmapped details as a JSON object, each with its label.
 */
public final class CefFormat {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String productVersion;

    public CefFormat(String productVersion) {
        this.productVersion = productVersion;
    }

    /** CEF severity 0..10 from the OCSF severity id. */
    public static int cefSeverity(Severity s) {
        return switch (s) {
            case UNKNOWN -> 0;
            case INFORMATIONAL -> 1;
            case LOW -> 3;
            case MEDIUM -> 5;
            case HIGH -> 8;
            case CRITICAL, FATAL -> 10;
        };
    }

    public String format(StoredEvent stored) {
        StringBuilder b = new StringBuilder(384);
        append(stored, b);
        return b.toString();
    }

    public void append(StoredEvent stored, StringBuilder b) {
        SecurityEvent e = stored.event();
        b.append("CEF:0|Holdfast|Holdfast|");
        header(productVersion, b);
        b.append('|');
        header(e.activity(), b);
        b.append('|');
        header(name(e), b);
        b.append('|').append(cefSeverity(e.severity())).append('|');
        b.append("rt=").append(e.time().toEpochMilli());
        ext(b, "externalId", e.id().toString());
        ext(b, "cat", e.eventClass().caption());
        ext(b, "outcome", e.outcome().name().toLowerCase(java.util.Locale.ROOT));
        if (e.deviceId().isPresent()) ext(b, "deviceExternalId", e.deviceId().get());
        ext(b, "suser", e.actor());
        ext(b, "msg", e.message());
        ext(b, "cn1Label", "ocsfClassUid");
        ext(b, "cn1", Integer.toString(e.eventClass().classUid()));
        ext(b, "cn2Label", "sequence");
        ext(b, "cn2", Long.toString(stored.sequence()));
        ext(b, "cs1Label", "sourceModule");
        ext(b, "cs1", e.sourceModule());
        ext(b, "cs2Label", "ocsfSeverity");
        ext(b, "cs2", e.severity().name());
        if (!e.details().isEmpty()) {
            ext(b, "cs3Label", "unmapped");
            try {
                ext(b, "cs3", JSON.writeValueAsString(e.details()));
            } catch (JsonProcessingException ex) {
                throw new IllegalStateException("details of " + e.id() + " not serialisable", ex);
            }
        }
    }

    /** The header Name: the message's first line, or the activity when there is no message; at most 512 characters. */
    static String name(SecurityEvent e) {
        String m = e.message().isBlank() ? e.activity() : e.message();
        return m.length() > 512 ? m.substring(0, 512) : m;
    }

    private static void ext(StringBuilder b, String key, String value) {
        b.append(' ').append(key).append('=');
        escapeExtension(value, b);
    }

    /** Header field escaping: {@code \\} and {@code \|}; CR and LF (not allowed in a header) become spaces. */
    public static void header(String value, StringBuilder b) {
        if (clean(value, true)) {
            b.append(value);
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '|' -> b.append("\\|");
                case '\r', '\n' -> b.append(' ');
                default -> b.append(c);
            }
        }
    }

    /** Extension value escaping: {@code \\}, {@code \=}, and line breaks as {@code \n} and {@code \r}. */
    public static void escapeExtension(String value, StringBuilder b) {
        if (clean(value, false)) {
            b.append(value);
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '=' -> b.append("\\=");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                default -> b.append(c);
            }
        }
    }

    /** Most values need no escaping: one scan, then a bulk append. */
    private static boolean clean(String value, boolean header) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' || c == '\n' || c == '\r' || (header ? c == '|' : c == '=')) return false;
        }
        return true;
    }
}
