package dev.holdfast.pki;

/** Key algorithms for the CA's own keys, with the signature algorithm each signs with. */
public enum KeyAlgorithm {
    EC_P256("EC", "secp256r1", "SHA256withECDSA"),
    EC_P384("EC", "secp384r1", "SHA384withECDSA");

    private final String jcaAlgorithm;
    private final String curve;
    private final String signatureAlgorithm;

    KeyAlgorithm(String jcaAlgorithm, String curve, String signatureAlgorithm) {
        this.jcaAlgorithm = jcaAlgorithm;
        this.curve = curve;
        this.signatureAlgorithm = signatureAlgorithm;
    }

    public String jcaAlgorithm() {
        return jcaAlgorithm;
    }

    public String curve() {
        return curve;
    }

    public String signatureAlgorithm() {
        return signatureAlgorithm;
    }

    /** Accepts {@code EC_P256}, {@code ec-p256}, {@code p256}. */
    public static KeyAlgorithm parse(String s) {
        String n = s.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
        if (!n.startsWith("EC_")) n = "EC_" + n;
        return valueOf(n);
    }
}
