package dev.holdfast.server.config;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The fields of one mapping in a list-of-objects setting, read with the catalogue's own scalar types
 * so that {@code 30s}, paths and enumerations mean the same inside a list as at the top level. Every
 * problem is reported with the field's path ({@code events.exporters[1].port}); fields nobody read are
 * reported as unknown, with a suggestion.
 */
final class ObjectFields {
    private final Map<String, Object> fields;
    private final SettingType.Problems problems;
    private final Set<String> read = new HashSet<>();
    private final Set<String> known = new HashSet<>();

    ObjectFields(Map<String, Object> fields, SettingType.Problems problems) {
        this.fields = fields;
        this.problems = problems;
    }

    /** A field that must be present. */
    <T> T required(String key, SettingType<T> type) {
        Optional<T> v = optional(key, type);
        if (v.isEmpty() && isAbsent(key)) report(key, "required, and not set");
        return v.orElse(null);
    }

    /** A field with a default. */
    <T> T get(String key, SettingType<T> type, T defaultValue) {
        if (isAbsent(key)) {
            known.add(key);
            return defaultValue;
        }
        return optional(key, type).orElse(null);
    }

    /** A field that may be absent; empty also when it was present but invalid (then reported). */
    <T> Optional<T> optional(String key, SettingType<T> type) {
        known.add(key);
        read.add(key);
        Object raw = fields.get(key);
        if (raw == null) return Optional.empty();
        SettingType.Problems p = (suffix, message) -> problems.report("." + key + suffix, message);
        T value;
        if (raw instanceof List<?> list) {
            @SuppressWarnings("unchecked") List<String> items = (List<String>) list;
            value = type.parseSequence(items, p);
        } else {
            value = type.parse((String) raw, p);
        }
        if (value == null) return Optional.empty();
        boolean[] bad = {false};
        type.validate(value, (suffix, message) -> {
            bad[0] = true;
            p.report(suffix, message);
        });
        return bad[0] ? Optional.empty() : Optional.of(value);
    }

    /** Every scalar field under {@code prefix.}, by the rest of its key (for pass-through client properties). */
    Map<String, String> under(String prefix) {
        known.add(prefix);
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            if (!e.getKey().startsWith(prefix + ".")) continue;
            read.add(e.getKey());
            if (e.getValue() instanceof String s) out.put(e.getKey().substring(prefix.length() + 1), s);
            else if (e.getValue() != null) report(e.getKey(), "expected a plain value, found a list");
        }
        return out;
    }

    boolean isAbsent(String key) {
        return fields.get(key) == null;
    }

    void report(String key, String message) {
        problems.report(key.isEmpty() ? "" : "." + key, message);
    }

    /** Reports the fields no reader asked for. */
    void reportUnknown() {
        for (String key : fields.keySet()) {
            if (read.contains(key)) continue;
            String message = Spelling.suggest(key, List.copyOf(known)).map(k -> "unknown field (did you mean " + k + "?)").orElse("unknown field");
            report(key, message);
        }
    }
}
