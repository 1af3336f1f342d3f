package dev.holdfast.provisioning;

import java.util.regex.Pattern;

/** The shapes of ids: registration ids as Azure DPS allows them, names of operator objects. */
public final class Ids {
    /** Azure DPS: alphanumeric, lower case, and '-', '.', '_', ':'; at most 128 characters. We accept upper case too. */
    private static final Pattern REGISTRATION_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private Ids() {
    }

    public static boolean isRegistrationId(String s) {
        return s != null && REGISTRATION_ID.matcher(s).matches();
    }

    public static String requireRegistrationId(String s) {
        if (!isRegistrationId(s)) {
            throw ProvisioningRefusal.malformed("bad-registration-id", "registration id '" + excerpt(s)
                    + "' is not 1..128 letters, digits, '.', '_', ':' or '-'").exception();
        }
        return s;
    }

    static void requireId(String what, String s) {
        if (s == null || !NAME.matcher(s).matches()) {
            throw ProvisioningRefusal.invalidRequest(what + ": '" + excerpt(s) + "' (expected: 1..64 letters, digits, '.', '_' or '-')").exception();
        }
    }

    /** At most 64 printable characters of untrusted text, for messages. */
    public static String excerpt(String s) {
        if (s == null) return "null";
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 64; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return s.length() > 64 ? b + "..." : b.toString();
    }
}
