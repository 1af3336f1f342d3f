package dev.holdfast.registry;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A kind of device, and how long its maker supports it: posture flags devices past their
 * {@code endOfSupport} or beyond the {@code securityUpdateHorizon} (the date until which the maker has
 * committed to ship security updates, as the EU Cyber Resilience Act asks makers to state).
 */
public record DeviceModel(Definition definition, Instant createdAt, Instant updatedAt) {
    public DeviceModel {
        if (definition == null || createdAt == null || updatedAt == null) throw new IllegalArgumentException("DeviceModel: every field is required");
    }

    public String id() {
        return definition.id();
    }

    /**
     * What an operator says about a model.
     *
     * @param id                    1..128 of {@code A-Z a-z 0-9 . _ -}, e.g. {@code acme-meter-x200-revb}
     * @param manufacturer          1..256 characters
     * @param model                 1..256 characters
     * @param hardwareRevision      at most 64 characters
     * @param endOfSupport          the last day the maker supports it
     * @param securityUpdateHorizon the last day the maker has committed to ship security updates
     */
    public record Definition(String id, String manufacturer, String model, Optional<String> hardwareRevision,
                             Optional<LocalDate> endOfSupport, Optional<LocalDate> securityUpdateHorizon) {
        public static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

        public Definition {
            hardwareRevision = hardwareRevision == null ? Optional.empty() : hardwareRevision;
            endOfSupport = endOfSupport == null ? Optional.empty() : endOfSupport;
            securityUpdateHorizon = securityUpdateHorizon == null ? Optional.empty() : securityUpdateHorizon;
            String problem = problem(id, manufacturer, model, hardwareRevision);
            if (problem != null) throw new IllegalArgumentException(problem);
        }

        /** Builds from untrusted values, refusing with the rule that is broken. */
        public static Definition parse(String id, String manufacturer, String model, Optional<String> hardwareRevision,
                                       Optional<LocalDate> endOfSupport, Optional<LocalDate> securityUpdateHorizon) {
            String problem = problem(id, manufacturer, model, hardwareRevision == null ? Optional.empty() : hardwareRevision);
            if (problem != null) throw RegistryRefusal.invalid("invalid-model", problem).exception();
            return new Definition(id, manufacturer, model, hardwareRevision, endOfSupport, securityUpdateHorizon);
        }

        private static String problem(String id, String manufacturer, String model, Optional<String> hardwareRevision) {
            if (id == null || !ID.matcher(id).matches()) return "id: '" + RegistryLimits.excerpt(id) + "' (expected: 1..128 of A-Z a-z 0-9 . _ -)";
            if (manufacturer == null || manufacturer.isBlank() || manufacturer.length() > 256) {
                return "manufacturer: '" + RegistryLimits.excerpt(manufacturer) + "' (expected: 1..256 characters)";
            }
            if (model == null || model.isBlank() || model.length() > 256) return "model: '" + RegistryLimits.excerpt(model) + "' (expected: 1..256 characters)";
            if (hardwareRevision.isPresent() && (hardwareRevision.get().isBlank() || hardwareRevision.get().length() > 64)) {
                return "hardwareRevision: '" + RegistryLimits.excerpt(hardwareRevision.get()) + "' (expected: 1..64 characters)";
            }
            for (String s : new String[]{manufacturer, model, hardwareRevision.orElse("")}) {
                for (int i = 0; i < s.length(); i++) {
                    if (Character.isISOControl(s.charAt(i))) return "'" + RegistryLimits.excerpt(s) + "' has a control character at offset " + i;
                }
            }
            return null;
        }
    }
}
