package dev.holdfast.posture.sbom;

import java.util.Locale;
import java.util.Optional;

/**
 * A CycloneDX VEX analysis: what the maker of the image says about one advisory for one component.
 * {@link State#NOT_AFFECTED} and {@link State#FIXED} suppress a finding (it is still listed as
 * suppressed, with the justification); the other states leave it open.
 *
 * @param advisoryId    the vulnerability id (CVE, GHSA, OSV ...)
 * @param componentRef  the {@code bom-ref} (or purl) of the component the statement is about
 * @param justification CycloneDX justification ({@code code_not_reachable} ...), if given
 * @param detail        free text, if given
 */
public record VexStatement(String advisoryId, String componentRef, State state, Optional<String> justification, Optional<String> detail) {
    public VexStatement {
        if (advisoryId == null || componentRef == null || state == null) throw new IllegalArgumentException("VexStatement: advisoryId, componentRef and state are required");
        justification = justification == null ? Optional.empty() : justification;
        detail = detail == null ? Optional.empty() : detail;
    }

    public enum State {
        /** CycloneDX {@code not_affected}. */
        NOT_AFFECTED,
        /** CycloneDX {@code resolved} or {@code resolved_with_pedigree} (VEX's "fixed"). */
        FIXED,
        FALSE_POSITIVE, EXPLOITABLE, IN_TRIAGE;

        /** Whether the statement closes a finding. */
        public boolean suppresses() {
            return this == NOT_AFFECTED || this == FIXED || this == FALSE_POSITIVE;
        }

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<State> parse(String s) {
            if (s == null) return Optional.empty();
            String n = s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            if (n.equals("RESOLVED") || n.equals("RESOLVED_WITH_PEDIGREE")) return Optional.of(FIXED);
            for (State st : values()) if (st.name().equals(n)) return Optional.of(st);
            return Optional.empty();
        }
    }
}
