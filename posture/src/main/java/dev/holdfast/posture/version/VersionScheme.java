package dev.holdfast.posture.version;

import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;

/**
 * How one ecosystem orders its versions. Each comparator is total over any string (a version that
 * does not follow the ecosystem's grammar is still ordered, by the same rules applied leniently), so
 * matching never throws on an odd version; ranges on such versions are reported as "compared leniently"
 * only by the ecosystem's own tools disagreeing, which the tests pin down with the documented examples.
 */
public enum VersionScheme implements Comparator<String> {
    /** Semantic Versioning 2.0.0, §11 precedence (build metadata ignored). */
    SEMVER(SemverOrder::compare),
    /** npm: node-semver, i.e. SemVer 2.0.0 after stripping a leading {@code v} or {@code =}. */
    NPM(SemverOrder::compare),
    /** Maven's {@code ComparableVersion} (maven-artifact 3.9). */
    MAVEN(MavenOrder::compare),
    /** PyPI: PEP 440 (epoch, release, pre, post, dev, local). */
    PYPI(Pep440Order::compare),
    /** Debian: dpkg's {@code verrevcmp} over epoch, upstream version and revision (Debian Policy 5.6.12). */
    DEBIAN(DpkgOrder::compare),
    /** Alpine: apk-tools' version comparison (digits, letter, suffixes, {@code -rN}). */
    ALPINE(ApkOrder::compare),
    /** RPM: {@code rpmvercmp} over epoch, version and release, with {@code ~} and {@code ^}. */
    RPM(RpmOrder::compare),
    /** Anything else: numeric runs compared as numbers, letter runs as text, separators ignored. */
    GENERIC(GenericOrder::compare);

    private final Comparator<String> order;

    VersionScheme(Comparator<String> order) {
        this.order = order;
    }

    @Override
    public int compare(String a, String b) {
        return Integer.signum(order.compare(a, b));
    }

    /** The ordering for a purl type ({@code npm}, {@code maven}, {@code deb} ...). */
    public static VersionScheme forPurlType(String type) {
        return switch (type.toLowerCase(Locale.ROOT)) {
            case "npm" -> NPM;
            case "maven" -> MAVEN;
            case "pypi" -> PYPI;
            case "deb" -> DEBIAN;
            case "apk" -> ALPINE;
            case "rpm" -> RPM;
            case "golang", "cargo", "gem", "nuget", "composer", "hex", "pub", "swift", "cocoapods" -> SEMVER;
            default -> GENERIC;
        };
    }

    /**
     * The purl type for an OSV ecosystem name ({@code "Debian:12"}, {@code "PyPI"} ...), if Holdfast
     * knows the ecosystem.
     */
    public static Optional<String> purlTypeForOsvEcosystem(String ecosystem) {
        if (ecosystem == null) return Optional.empty();
        String base = ecosystem.contains(":") ? ecosystem.substring(0, ecosystem.indexOf(':')) : ecosystem;
        return Optional.ofNullable(switch (base) {
            case "npm" -> "npm";
            case "PyPI" -> "pypi";
            case "Maven" -> "maven";
            case "Debian", "Ubuntu" -> "deb";
            case "Alpine" -> "apk";
            case "Red Hat", "AlmaLinux", "Rocky Linux", "openSUSE", "SUSE", "Mageia", "openEuler" -> "rpm";
            case "Go" -> "golang";
            case "crates.io" -> "cargo";
            case "RubyGems" -> "gem";
            case "NuGet" -> "nuget";
            case "Packagist" -> "composer";
            case "Hex" -> "hex";
            case "Pub" -> "pub";
            case "OSS-Fuzz", "GIT" -> "generic";
            default -> null;
        });
    }
}
