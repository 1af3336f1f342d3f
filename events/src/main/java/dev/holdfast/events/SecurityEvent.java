package dev.holdfast.events;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * One security-relevant fact, shaped after OCSF: what happened ({@link #eventClass}, {@link #activity}),
 * how bad ({@link #severity}), to which device, on whose behalf ({@link #actor}), from which module,
 * a human message and the details that fit no standard field ({@link #details}, OCSF "unmapped").
 *
 * @param id       UUIDv7: time-ordered, unique across nodes
 * @param activity the verb within the class, e.g. {@code certificate.issued}, {@code est.enroll.refused}
 * @param outcome  success or failure of the activity
 */
public record SecurityEvent(UUID id, Instant time, EventClass eventClass, String activity, Outcome outcome,
                            Severity severity, Optional<String> deviceId, String actor, String sourceModule,
                            String message, Map<String, String> details) {

    public enum Outcome { SUCCESS, FAILURE, UNKNOWN }

    public SecurityEvent {
        if (id == null || time == null || eventClass == null || activity == null || outcome == null || severity == null
                || actor == null || sourceModule == null || message == null) {
            throw new IllegalArgumentException("SecurityEvent: every field but deviceId and details is required");
        }
        deviceId = deviceId == null ? Optional.empty() : deviceId;
        details = details == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(details));
    }

    public static Builder builder(EventClass eventClass, String activity) {
        return new Builder(eventClass, activity);
    }

    /** Builds an event; unset optional fields default as documented on each setter. */
    public static final class Builder {
        private final EventClass eventClass;
        private final String activity;
        private Outcome outcome = Outcome.SUCCESS;
        private Severity severity = Severity.INFORMATIONAL;
        private String deviceId;
        private String actor = "system";
        private String sourceModule = "holdfast";
        private String message = "";
        private final Map<String, String> details = new TreeMap<>();
        private Instant time;

        private Builder(EventClass eventClass, String activity) {
            this.eventClass = eventClass;
            this.activity = activity;
        }

        /** Default SUCCESS. */
        public Builder outcome(Outcome o) { this.outcome = o; return this; }
        /** Default INFORMATIONAL. */
        public Builder severity(Severity s) { this.severity = s; return this; }
        /** Default none. */
        public Builder device(String id) { this.deviceId = id; return this; }
        /** Who asked: an operator, a token id, a device id, or {@code system} (default). */
        public Builder actor(String a) { this.actor = a; return this; }
        /** Default {@code holdfast}. */
        public Builder source(String module) { this.sourceModule = module; return this; }
        public Builder message(String m) { this.message = m; return this; }
        /** Null values are left out. */
        public Builder detail(String key, Object value) {
            if (value != null) details.put(key, String.valueOf(value));
            return this;
        }
        /** Default: now. */
        public Builder time(Instant t) { this.time = t; return this; }

        public SecurityEvent build() {
            Instant t = time != null ? time : Instant.now();
            return new SecurityEvent(UuidV7.at(t), t, eventClass, activity, outcome, severity,
                    Optional.ofNullable(deviceId), actor, sourceModule, message, details);
        }
    }
}
