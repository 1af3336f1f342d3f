package dev.holdfast.posture.sbom;

import java.util.List;

/**
 * A parsed SBOM: its format and spec version, every component (nested ones flattened, in document
 * order, parents before children) and the VEX statements it carries.
 */
public record Sbom(Format format, String specVersion, List<SbomComponent> components, List<VexStatement> vex) {
    public Sbom {
        if (format == null || specVersion == null) throw new IllegalArgumentException("Sbom: format and specVersion are required");
        components = List.copyOf(components);
        vex = List.copyOf(vex);
    }

    public enum Format {
        CYCLONEDX_JSON("cyclonedx-json"), CYCLONEDX_XML("cyclonedx-xml"), SPDX_JSON("spdx-json");

        private final String wireName;

        Format(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }
}
