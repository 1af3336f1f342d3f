package dev.holdfast.posture.sbom;

import java.util.Optional;

/**
 * One component of a firmware image, flattened out of the SBOM's hierarchy.
 *
 * @param ref     the SBOM's own reference for it (CycloneDX {@code bom-ref}, SPDX {@code SPDXID}); empty when it has none
 * @param group   CycloneDX group (Maven groupId, npm scope), if any
 * @param purl    its package URL, if the SBOM gives a valid one
 * @param cpe     its CPE 2.3 name, if the SBOM gives one
 * @param parent  the ref of the component it was nested in, if any
 */
public record SbomComponent(Optional<String> ref, String name, Optional<String> version, Optional<String> group, Optional<Purl> purl,
                            Optional<String> cpe, Optional<String> parent) {
    public SbomComponent {
        if (name == null) throw new IllegalArgumentException("name: null (expected: a component name)");
        ref = ref == null ? Optional.empty() : ref;
        version = version == null ? Optional.empty() : version;
        group = group == null ? Optional.empty() : group;
        purl = purl == null ? Optional.empty() : purl;
        cpe = cpe == null ? Optional.empty() : cpe;
        parent = parent == null ? Optional.empty() : parent;
    }

    /** How findings name it: the purl when there is one, else name@version. */
    public String label() {
        return purl.map(Purl::toString).orElseGet(() -> group.map(g -> g + "/").orElse("") + name + version.map(v -> "@" + v).orElse(""));
    }
}
