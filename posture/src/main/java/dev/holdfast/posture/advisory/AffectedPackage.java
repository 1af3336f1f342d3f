package dev.holdfast.posture.advisory;

import dev.holdfast.posture.version.VersionScheme;

import java.util.List;
import java.util.Optional;

/**
 * What an advisory says is affected: a package (by purl key) or a CPE product, the ranges of
 * affected versions and an explicit list of affected versions.
 *
 * @param scheme   how versions of the target are ordered (from the purl type or OSV ecosystem; CPE: generic)
 * @param versions explicit affected versions (OSV {@code versions}); matched by equality in {@code scheme}
 */
public record AffectedPackage(Target target, VersionScheme scheme, List<VersionRange> ranges, List<String> versions) {
    public AffectedPackage {
        if (target == null || scheme == null) throw new IllegalArgumentException("AffectedPackage: target and scheme are required");
        ranges = List.copyOf(ranges);
        versions = List.copyOf(versions);
    }

    public sealed interface Target permits PackageTarget, CpeTarget {
        /** The index key: {@code type/namespace/name} for packages, {@code vendor:product} for CPEs. */
        String key();
    }

    /**
     * @param packageKey {@code type/namespace/name} as {@link dev.holdfast.posture.sbom.Purl#packageKey()} forms it
     * @param ecosystem  the OSV ecosystem as written ({@code Debian:12}), or the purl type
     */
    public record PackageTarget(String packageKey, String ecosystem) implements Target {
        public String key() {
            return packageKey;
        }
    }

    /** An NVD {@code cpeMatch} criterion; its version field (when not {@code *} or {@code -}) is an exact version. */
    public record CpeTarget(String vendor, String product, String criteria, Optional<String> exactVersion) implements Target {
        public CpeTarget {
            exactVersion = exactVersion == null ? Optional.empty() : exactVersion;
        }

        public String key() {
            return vendor + ":" + product;
        }
    }
}
