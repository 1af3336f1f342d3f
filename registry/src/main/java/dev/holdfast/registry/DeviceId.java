package dev.holdfast.registry;

/**
 * A device's identity in the registry, with Azure IoT Hub's rules so that ids carried over from IoT Hub
 * stay valid: case-sensitive, 1 to 128 characters, each an ASCII letter or digit or one of
 * {@code - . + % _ # * ? ! ( ) , : = @ $ '}. No spaces, slashes or non-ASCII characters.
 *
 * <p>Several of the allowed characters ({@code # ? % +}) have a meaning in URLs: clients percent-encode
 * them in a request path ({@code /api/v1/devices/meter%231}).
 *
 * @param value the id exactly as the device and its certificate carry it
 */
public record DeviceId(String value) implements Comparable<DeviceId> {
    /** Longest id IoT Hub accepts, and so the registry. */
    public static final int MAX_LENGTH = 128;
    /** The punctuation IoT Hub allows in a device id, besides ASCII letters and digits. */
    public static final String ALLOWED_PUNCTUATION = "-.+%_#*?!(),:=@$'";

    public DeviceId {
        String problem = problem(value);
        if (problem != null) throw new IllegalArgumentException("deviceId: " + problem);
    }

    /** Parses untrusted text: the id, or a refusal that says which rule the text breaks. */
    public static DeviceId parse(String text) {
        String problem = problem(text);
        if (problem != null) throw RegistryRefusal.invalid("invalid-device-id", "deviceId: " + problem).exception();
        return new DeviceId(text);
    }

    /** True when {@code text} follows the rules. */
    public static boolean isValid(String text) {
        return problem(text) == null;
    }

    /** What is wrong with {@code text} as a device id, or null when nothing is. */
    static String problem(String text) {
        if (text == null || text.isEmpty()) return "empty (expected: 1.." + MAX_LENGTH + " characters)";
        if (text.length() > MAX_LENGTH) {
            return "'" + RegistryLimits.excerpt(text) + "' has " + text.length() + " characters (expected: at most " + MAX_LENGTH + ")";
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!allowed(c)) {
                return "'" + RegistryLimits.excerpt(text) + "' has " + RegistryLimits.describe(c) + " at offset " + i
                        + " (expected: ASCII letters, digits and " + ALLOWED_PUNCTUATION + ")";
            }
        }
        return null;
    }

    static boolean allowed(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || ALLOWED_PUNCTUATION.indexOf(c) >= 0;
    }

    @Override
    public int compareTo(DeviceId o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
