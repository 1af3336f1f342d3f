package dev.holdfast.pki;

import java.util.Locale;

/** CRLReason codes of RFC 5280 §5.3.1 (value 7 is unused by the RFC). */
public enum RevocationReason {
    UNSPECIFIED(0), KEY_COMPROMISE(1), CA_COMPROMISE(2), AFFILIATION_CHANGED(3), SUPERSEDED(4),
    CESSATION_OF_OPERATION(5), CERTIFICATE_HOLD(6), REMOVE_FROM_CRL(8), PRIVILEGE_WITHDRAWN(9), AA_COMPROMISE(10);

    private final int code;

    RevocationReason(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static RevocationReason ofCode(int code) {
        for (RevocationReason r : values()) if (r.code == code) return r;
        throw new IllegalArgumentException("reason code: " + code + " (expected an RFC 5280 CRLReason)");
    }

    /** Accepts {@code keyCompromise}, {@code key-compromise} and {@code KEY_COMPROMISE}. */
    public static RevocationReason parse(String s) {
        String norm = s.replaceAll("([a-z])([A-Z])", "$1_$2").replace('-', '_').toUpperCase(Locale.ROOT);
        try {
            return valueOf(norm);
        } catch (IllegalArgumentException e) {
            throw Refusal.invalid("unknown-revocation-reason", "revocation reason '" + s + "' is not one of " + java.util.Arrays.toString(values()));
        }
    }

    /** The camelCase name RFC 5280 and OpenSSL print (keyCompromise). */
    public String rfcName() {
        String[] parts = name().toLowerCase(Locale.ROOT).split("_");
        StringBuilder b = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.length; i++) b.append(Character.toUpperCase(parts[i].charAt(0))).append(parts[i].substring(1));
        return b.toString();
    }
}
