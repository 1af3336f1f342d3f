package dev.holdfast.provisioning.tpm;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/** The TPM_ALG_ID hash algorithms (TPM 2.0 Part 2 §6.3) that names, KDFs and signatures use here. */
public enum TpmHash {
    SHA1(0x0004, "SHA-1", "HmacSHA1", 20),
    SHA256(0x000B, "SHA-256", "HmacSHA256", 32),
    SHA384(0x000C, "SHA-384", "HmacSHA384", 48),
    SHA512(0x000D, "SHA-512", "HmacSHA512", 64);

    private final int id;
    private final String jcaName;
    private final String hmacName;
    private final int size;

    TpmHash(int id, String jcaName, String hmacName, int size) {
        this.id = id;
        this.jcaName = jcaName;
        this.hmacName = hmacName;
        this.size = size;
    }

    /** The TPM_ALG_ID. */
    public int id() {
        return id;
    }

    public String jcaName() {
        return jcaName;
    }

    String hmacName() {
        return hmacName;
    }

    /** Digest size in bytes. */
    public int size() {
        return size;
    }

    /** The JCA signature algorithm name prefix: {@code SHA256} for {@code SHA256withECDSA}. */
    String signaturePrefix() {
        return jcaName.replace("-", "");
    }

    public byte[] digest(byte[]... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance(jcaName);
            for (byte[] p : parts) md.update(p);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks " + jcaName, e);
        }
    }

    public static Optional<TpmHash> of(int id) {
        for (TpmHash h : values()) if (h.id == id) return Optional.of(h);
        return Optional.empty();
    }
}
