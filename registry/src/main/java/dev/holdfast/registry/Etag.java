package dev.holdfast.registry;

/**
 * A strong entity tag (RFC 9110 §8.8.3) of one registry resource version. Tags name the resource and
 * the version, so a tag of one resource never matches another by accident:
 * <ul>
 *   <li>{@code "device-<version>"}: the device as a whole; changes on every change to it;</li>
 *   <li>{@code "tags-<version>"}: its tags; changes only when the tags do;</li>
 *   <li>{@code "desired-<$version>"}: its twin, for conditional updates of the desired properties;
 *       changes when desired properties do, not when the device reports (so a device's reports never
 *       make an operator's update fail).</li>
 * </ul>
 *
 * @param tag the opaque-tag without quotes, e.g. {@code tags-3}
 */
public record Etag(String tag) {
    public Etag {
        if (tag == null || tag.isEmpty() || tag.length() > 200) throw new IllegalArgumentException("tag: " + tag + " (expected: 1..200 characters)");
        for (int i = 0; i < tag.length(); i++) {
            char c = tag.charAt(i);
            // RFC 9110 etagc = %x21 / %x23-7E / obs-text
            if (c < 0x21 || c == '"' || c == 0x7f) throw new IllegalArgumentException("tag: " + RegistryLimits.excerpt(tag) + " (expected: visible ASCII without '\"')");
        }
    }

    public static Etag device(long version) {
        return new Etag("device-" + version);
    }

    public static Etag tags(long version) {
        return new Etag("tags-" + version);
    }

    public static Etag desired(long version) {
        return new Etag("desired-" + version);
    }

    /** The header form, with the quotes: {@code "tags-3"}. */
    public String header() {
        return "\"" + tag + "\"";
    }

    @Override
    public String toString() {
        return header();
    }
}
