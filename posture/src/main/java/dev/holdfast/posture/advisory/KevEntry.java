package dev.holdfast.posture.advisory;

import java.time.LocalDate;
import java.util.Optional;

/** A CISA Known Exploited Vulnerabilities catalogue entry. */
public record KevEntry(String cve, String vendor, String product, LocalDate dateAdded, Optional<LocalDate> dueDate, boolean ransomware) {
    public KevEntry {
        if (cve == null || dateAdded == null) throw new IllegalArgumentException("KevEntry: cve and dateAdded required");
        vendor = vendor == null ? "" : vendor;
        product = product == null ? "" : product;
        dueDate = dueDate == null ? Optional.empty() : dueDate;
    }
}
