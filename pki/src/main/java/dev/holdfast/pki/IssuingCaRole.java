package dev.holdfast.pki;

import java.util.Locale;

/** The issuing CAs below the root: one for device identities, one for the product's own servers. */
public enum IssuingCaRole {
    DEVICES, INFRASTRUCTURE;

    public String caName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static IssuingCaRole ofCaName(String name) {
        for (IssuingCaRole r : values()) if (r.caName().equals(name)) return r;
        throw Refusal.notFound("unknown-ca", "certificate authority '" + name + "' does not exist (expected: devices, infrastructure)");
    }
}
