package dev.holdfast.posture.sbom;

import dev.holdfast.posture.MalformedDocumentException;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * A package URL ({@code pkg:type/namespace/name@version?qualifiers#subpath}, the purl specification).
 * Only what matching needs is kept: type, namespace, name and version, decoded; type lower-cased, and
 * name lower-cased for the types whose names are case-insensitive (pypi, npm, deb, apk, rpm, generic).
 *
 * @param namespace empty when the type has none
 */
public record Purl(String type, Optional<String> namespace, String name, Optional<String> version) {
    public Purl {
        if (type == null || type.isEmpty() || name == null || name.isEmpty()) throw new IllegalArgumentException("Purl: type and name are required");
        namespace = namespace == null ? Optional.empty() : namespace;
        version = version == null ? Optional.empty() : version;
    }

    public static Purl parse(String text) throws MalformedDocumentException {
        if (text == null || !text.startsWith("pkg:")) throw new MalformedDocumentException("purl", "'" + excerpt(text) + "' does not start with 'pkg:'");
        if (text.length() > 4096) throw new MalformedDocumentException("purl", "length " + text.length() + " exceeds 4096");
        String rest = text.substring(4);
        while (rest.startsWith("/")) rest = rest.substring(1);
        int hash = rest.indexOf('#');
        if (hash >= 0) rest = rest.substring(0, hash);
        int q = rest.indexOf('?');
        if (q >= 0) rest = rest.substring(0, q);
        int slash = rest.indexOf('/');
        if (slash <= 0) throw new MalformedDocumentException("purl", "'" + excerpt(text) + "' has no type/name");
        String type = rest.substring(0, slash).toLowerCase(Locale.ROOT);
        if (!type.matches("[a-z0-9.+-]+")) throw new MalformedDocumentException("purl", "type '" + excerpt(type) + "' is not [a-z0-9.+-]");
        String path = rest.substring(slash + 1);
        String version = null;
        int at = path.lastIndexOf('@');
        if (at >= 0) {
            version = decode(path.substring(at + 1));
            path = path.substring(0, at);
        }
        while (path.endsWith("/")) path = path.substring(0, path.length() - 1);
        int last = path.lastIndexOf('/');
        String name = decode(last >= 0 ? path.substring(last + 1) : path);
        String ns = last >= 0 ? decode(path.substring(0, last)) : null;
        if (name.isEmpty()) throw new MalformedDocumentException("purl", "'" + excerpt(text) + "' has an empty name");
        if (caseInsensitive(type)) {
            name = name.toLowerCase(Locale.ROOT);
            if (ns != null) ns = ns.toLowerCase(Locale.ROOT);
        }
        if (type.equals("pypi")) name = name.replace('_', '-');
        return new Purl(type, Optional.ofNullable(ns == null || ns.isEmpty() ? null : ns), name, Optional.ofNullable(version == null || version.isEmpty() ? null : version));
    }

    private static boolean caseInsensitive(String type) {
        return switch (type) {
            case "pypi", "npm", "deb", "apk", "rpm", "generic", "github", "bitbucket", "golang", "nuget", "composer" -> true;
            default -> false;
        };
    }

    private static String decode(String s) throws MalformedDocumentException {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new MalformedDocumentException("purl", "bad percent-encoding in '" + excerpt(s) + "'");
        }
    }

    /** The key under which advisories for this package are indexed: {@code type/namespace/name}. */
    public String packageKey() {
        return type + "/" + namespace.map(n -> n + "/").orElse("") + name;
    }

    @Override
    public String toString() {
        return "pkg:" + packageKey() + version.map(v -> "@" + v).orElse("");
    }

    static String excerpt(String s) {
        if (s == null) return "null";
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
