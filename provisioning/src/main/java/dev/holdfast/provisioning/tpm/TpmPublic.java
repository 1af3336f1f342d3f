package dev.holdfast.provisioning.tpm;

import dev.holdfast.pki.Bytes;

import java.security.PublicKey;
import java.util.Objects;

/**
 * A parsed TPMT_PUBLIC (TPM 2.0 Part 2 §12.2.4): the public area of an RSA or ECC object, as the
 * TPM marshalled it. {@link #encoded()} keeps those exact bytes because the object's
 * {@linkplain #name() name} is a digest over them, not over any re-encoding.
 *
 * @param type             TPM_ALG_RSA (0x0001) or TPM_ALG_ECC (0x0023)
 * @param nameAlg          the hash of the object's name
 * @param objectAttributes TPMA_OBJECT bits (Part 2 §8.3); see the {@code ATTR_} constants
 * @param authPolicy       the policy digest (empty when none)
 * @param parameters       the algorithm parameters and the public key itself
 * @param publicKey        the same key as a JCA key (EC points checked to be on their curve)
 * @param encoded          the marshalled TPMT_PUBLIC, without the TPM2B size
 */
public record TpmPublic(int type, TpmHash nameAlg, int objectAttributes, Bytes authPolicy,
                        Parameters parameters, PublicKey publicKey, Bytes encoded) {
    public static final int TPM_ALG_RSA = 0x0001;
    public static final int TPM_ALG_ECC = 0x0023;

    public static final int ATTR_FIXED_TPM = 1 << 1;
    public static final int ATTR_ST_CLEAR = 1 << 2;
    public static final int ATTR_FIXED_PARENT = 1 << 4;
    public static final int ATTR_SENSITIVE_DATA_ORIGIN = 1 << 5;
    public static final int ATTR_USER_WITH_AUTH = 1 << 6;
    public static final int ATTR_ADMIN_WITH_POLICY = 1 << 7;
    public static final int ATTR_NO_DA = 1 << 10;
    public static final int ATTR_ENCRYPTED_DUPLICATION = 1 << 11;
    public static final int ATTR_RESTRICTED = 1 << 16;
    public static final int ATTR_DECRYPT = 1 << 17;
    public static final int ATTR_SIGN = 1 << 18;

    public TpmPublic {
        Objects.requireNonNull(nameAlg, "nameAlg");
        Objects.requireNonNull(authPolicy, "authPolicy");
        Objects.requireNonNull(parameters, "parameters");
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(encoded, "encoded");
    }

    /** TPMT_SYM_DEF_OBJECT: the symmetric algorithm of a storage key or EK; {@code algorithm} 0x0010 is none. */
    public record Symmetric(int algorithm, int keyBits, int mode) {
        public static final int TPM_ALG_AES = 0x0006;
        public static final int TPM_ALG_CFB = 0x0043;

        public boolean isNull() {
            return algorithm == TpmStructures.TPM_ALG_NULL;
        }
    }

    /** The parameters and unique field of the two key types we accept. */
    public sealed interface Parameters permits Rsa, Ecc {
        Symmetric symmetric();

        /** The signing or encryption scheme (TPM_ALG_NULL when the key does not restrict it). */
        int scheme();

        /** The scheme's hash algorithm id, 0 when the scheme has none. */
        int schemeHash();
    }

    /** TPMS_RSA_PARMS and the modulus; an exponent of 0 in the structure means 65537. */
    public record Rsa(Symmetric symmetric, int scheme, int schemeHash, int keyBits, long exponent, Bytes modulus)
            implements Parameters {
    }

    /** TPMS_ECC_PARMS and the point. {@code curve} is a TPM_ECC_CURVE: 0x0003 P-256, 0x0004 P-384, 0x0005 P-521. */
    public record Ecc(Symmetric symmetric, int scheme, int schemeHash, int curve, int kdf, int kdfHash, Bytes x, Bytes y)
            implements Parameters {
        public static final int NIST_P256 = 0x0003;
        public static final int NIST_P384 = 0x0004;
        public static final int NIST_P521 = 0x0005;
    }

    /** The object's name (Part 1 §16): nameAlg as two bytes, then nameAlg's digest of the TPMT_PUBLIC. */
    public Bytes name() {
        byte[] digest = nameAlg.digest(encoded.toArray());
        byte[] name = new byte[2 + digest.length];
        name[0] = (byte) (nameAlg.id() >>> 8);
        name[1] = (byte) nameAlg.id();
        System.arraycopy(digest, 0, name, 2, digest.length);
        return Bytes.wrapOwned(name);
    }

    /** True when every bit of {@code mask} is set. */
    public boolean has(int mask) {
        return (objectAttributes & mask) == mask;
    }

    /** The TPM2B_PUBLIC encoding: a 16-bit size then the TPMT_PUBLIC. */
    public byte[] toTpm2b() {
        return new TpmWriter().tpm2b(encoded.toArray()).toByteArray();
    }

    /** The attribute bits as tpm2-tools prints them, for messages: {@code fixedtpm|fixedparent|sign}. */
    public String attributeNames() {
        return attributeNames(objectAttributes);
    }

    static String attributeNames(int attributes) {
        StringBuilder sb = new StringBuilder();
        String[] names = {null, "fixedtpm", "stclear", null, "fixedparent", "sensitivedataorigin", "userwithauth",
                "adminwithpolicy", null, null, "noda", "encryptedduplication", null, null, null, null, "restricted",
                "decrypt", "sign"};
        for (int bit = 0; bit < names.length; bit++) {
            if ((attributes & (1 << bit)) != 0 && names[bit] != null) {
                if (!sb.isEmpty()) sb.append('|');
                sb.append(names[bit]);
            }
        }
        return sb.isEmpty() ? "(none)" : sb.toString();
    }
}
