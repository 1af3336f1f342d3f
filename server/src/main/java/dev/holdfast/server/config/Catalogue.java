package dev.holdfast.server.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A set of settings with the rules between them and a line of documentation per section. The product's
 * catalogue is {@link Settings#catalogue()}; tests build small ones.
 *
 * @param settings     every setting, in documentation order
 * @param rules        the rules spanning settings
 * @param sectionDocs  a sentence per section (the first segment of the keys); a section without one is
 *                     documented by its table alone
 */
record Catalogue(List<Setting<?>> settings, List<Rule> rules, Map<String, String> sectionDocs) {
    Catalogue {
        settings = List.copyOf(settings);
        rules = List.copyOf(rules);
        sectionDocs = Map.copyOf(sectionDocs);
        Map<String, Setting<?>> byKey = new HashMap<>();
        Map<String, Setting<?>> byEnv = new HashMap<>();
        for (Setting<?> s : settings) {
            if (byKey.put(s.key(), s) != null) throw new IllegalArgumentException("settings: " + s.key() + " defined twice");
            Setting<?> clash = byEnv.put(s.envName(), s);
            if (clash != null) {
                throw new IllegalArgumentException("settings: " + clash.key() + " and " + s.key() + " share " + s.envName());
            }
        }
        for (Setting<?> s : settings) {
            for (String prefix = parent(s.key()); prefix != null; prefix = parent(prefix)) {
                if (byKey.containsKey(prefix)) {
                    throw new IllegalArgumentException("settings: " + prefix + " is both a setting and the section of " + s.key());
                }
            }
        }
    }

    Optional<Setting<?>> setting(String key) {
        for (Setting<?> s : settings) {
            if (s.key().equals(key)) return Optional.of(s);
        }
        return Optional.empty();
    }

    boolean contains(Setting<?> setting) {
        return setting(setting.key()).orElse(null) == setting;
    }

    /** Whether {@code path} names a section: a proper prefix, ending at a dot, of some key. */
    boolean isSection(String path) {
        for (Setting<?> s : settings) {
            if (s.key().startsWith(path + ".")) return true;
        }
        return false;
    }

    /** The keys directly or indirectly under a section, in catalogue order. */
    List<String> keysUnder(String section) {
        List<String> keys = new ArrayList<>();
        for (Setting<?> s : settings) {
            if (s.key().startsWith(section + ".")) keys.add(s.key());
        }
        return keys;
    }

    List<String> keys() {
        return settings.stream().map(Setting::key).toList();
    }

    /** The settings grouped by section, sections in the order of their first setting. */
    Map<String, List<Setting<?>>> bySection() {
        Map<String, List<Setting<?>>> sections = new LinkedHashMap<>();
        for (Setting<?> s : settings) sections.computeIfAbsent(s.section(), k -> new ArrayList<>()).add(s);
        return sections;
    }

    private static String parent(String key) {
        int dot = key.lastIndexOf('.');
        return dot < 0 ? null : key.substring(0, dot);
    }
}
