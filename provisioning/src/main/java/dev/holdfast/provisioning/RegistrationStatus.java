package dev.holdfast.provisioning;

import java.util.Locale;

/** Azure DPS registration status values. */
public enum RegistrationStatus {
    UNASSIGNED, ASSIGNING, ASSIGNED, FAILED, DISABLED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RegistrationStatus parse(String s) {
        for (RegistrationStatus v : values()) if (v.wireName().equals(s)) return v;
        throw new IllegalArgumentException("status: '" + s + "' (expected: unassigned, assigning, assigned, failed or disabled)");
    }
}
