package dev.holdfast.registry;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * How a device proves who it is when it connects. The hub applies it; the registry stores it.
 * <ul>
 *   <li>{@link None}: no credential bound yet (a registered device that has not been provisioned).</li>
 *   <li>{@link Certificate}: self-signed or externally issued certificates bound by SHA-256 thumbprint
 *       (IoT Hub's {@code selfSigned}): the TLS client certificate's thumbprint must be one of them.
 *       Up to two, so a device can roll to a new certificate while the old one still works.</li>
 *   <li>{@link CaSigned}: any certificate a trusted CA issued for this device id (IoT Hub's
 *       {@code certificateAuthority}); the PKI checks chain and revocation.</li>
 * </ul>
 */
public sealed interface Authentication {
    /** At most this many bound thumbprints (primary and secondary). */
    int MAX_THUMBPRINTS = 2;

    /** The name on the wire and in the database: {@code none}, {@code certificate}, {@code ca}. */
    String type();

    record None() implements Authentication {
        @Override
        public String type() {
            return "none";
        }
    }

    /** @param thumbprints SHA-256 of the DER certificates, 64 lower-case hex digits each, 1 or 2, no duplicates */
    record Certificate(List<String> thumbprints) implements Authentication {
        public Certificate {
            if (thumbprints == null || thumbprints.isEmpty() || thumbprints.size() > MAX_THUMBPRINTS) {
                throw new IllegalArgumentException("thumbprints: " + thumbprints + " (expected: 1.." + MAX_THUMBPRINTS + " SHA-256 thumbprints)");
            }
            List<String> normal = new ArrayList<>();
            for (String t : thumbprints) {
                String n = normalizeThumbprint(t);
                if (n == null) throw new IllegalArgumentException("thumbprints: '" + RegistryLimits.excerpt(t) + "' (expected: 64 hex digits, colons allowed)");
                if (normal.contains(n)) throw new IllegalArgumentException("thumbprints: " + n + " appears twice");
                normal.add(n);
            }
            thumbprints = List.copyOf(normal);
        }

        @Override
        public String type() {
            return "certificate";
        }
    }

    record CaSigned() implements Authentication {
        @Override
        public String type() {
            return "ca";
        }
    }

    static Authentication none() {
        return new None();
    }

    static Authentication caSigned() {
        return new CaSigned();
    }

    static Authentication certificate(String... thumbprints) {
        return new Certificate(List.of(thumbprints));
    }

    /**
     * {@code "AB:CD:..."} or {@code "abcd..."} to 64 lower-case hex digits; null when the text is not a
     * SHA-256 thumbprint.
     */
    static String normalizeThumbprint(String text) {
        if (text == null) return null;
        String s = text.replace(":", "").strip().toLowerCase(Locale.ROOT);
        if (s.length() != 64) return null;
        try {
            HexFormat.of().parseHex(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return s;
    }

    /**
     * Builds an authentication from untrusted parts (the REST API, an import line): a refusal that names
     * the rule when they do not fit.
     */
    static Authentication parse(String type, List<String> thumbprints) {
        switch (type == null ? "" : type) {
            case "none", "ca" -> {
                if (!thumbprints.isEmpty()) {
                    throw RegistryRefusal.invalid("invalid-authentication", "authentication.thumbprints: only for type 'certificate', not '" + type + "'").exception();
                }
                return type.equals("none") ? new None() : new CaSigned();
            }
            case "certificate" -> {
                try {
                    return new Certificate(thumbprints);
                } catch (IllegalArgumentException e) {
                    throw RegistryRefusal.invalid("invalid-authentication", "authentication." + e.getMessage()).exception();
                }
            }
            default -> throw RegistryRefusal.invalid("invalid-authentication", "authentication.type: '" + RegistryLimits.excerpt(type)
                    + "' (expected: none, certificate or ca)").exception();
        }
    }
}
