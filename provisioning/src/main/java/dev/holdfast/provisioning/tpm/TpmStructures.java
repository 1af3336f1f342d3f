package dev.holdfast.provisioning.tpm;

import dev.holdfast.pki.Bytes;
import dev.holdfast.pki.MalformedInputException;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;

import java.io.IOException;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.RSAPublicKeySpec;

/**
 * Parsers and encoders for the TPM 2.0 structures of credential activation and key certification
 * (TPM 2.0 Part 2, "Structures"). Every input is untrusted: each parser checks every length against
 * what is left and against the structure's maximum, accepts only the algorithms named below, and
 * reports any violation as a {@link MalformedInputException} with the byte offset and what was
 * expected there. Nothing else escapes (the fuzz tests hold that).
 */
public final class TpmStructures {
    public static final int TPM_ALG_NULL = 0x0010;
    /** Larger than any TPM2B_PUBLIC, TPMS_ATTEST or TPMT_SIGNATURE a TPM produces (MAX_RSA_KEY_BYTES 512 plus headers). */
    public static final int MAX_STRUCTURE_BYTES = 4096;
    /** sizeof(TPMU_HA): the largest digest, the limit of TPM2B_DIGEST, TPM2B_DATA and policies. */
    public static final int MAX_DIGEST_BYTES = 64;
    /** sizeof(TPMU_NAME): a handle or an algorithm id plus the largest digest. */
    public static final int MAX_NAME_BYTES = 2 + MAX_DIGEST_BYTES;
    /** MAX_RSA_KEY_BYTES for 4096-bit keys. */
    public static final int MAX_RSA_KEY_BYTES = 512;
    /** MAX_ECC_KEY_BYTES for P-521. */
    public static final int MAX_ECC_KEY_BYTES = 66;
    /** The header tpm2-tools writes before a credential file: magic 0xBADCC0DE, version 1 (lib/files.c). */
    public static final long TPM2_TOOLS_MAGIC = 0xBADCC0DEL;

    private static final int TPM_ALG_RSAES = 0x0015;
    private static final int TPM_ALG_OAEP = 0x0017;
    private static final int TPM_ALG_ECDH = 0x0019;
    private static final int TPM_ALG_ECDAA = 0x001A;
    private static final int TPM_ALG_SM2 = 0x001B;
    private static final int TPM_ALG_ECSCHNORR = 0x001C;
    private static final int TPM_ALG_ECMQV = 0x001D;
    private static final int TPM_ALG_MGF1 = 0x0007;
    private static final int TPM_ALG_KDF1_SP800_56A = 0x0020;
    private static final int TPM_ALG_KDF2 = 0x0021;
    private static final int TPM_ALG_KDF1_SP800_108 = 0x0022;
    private static final int TPM_ALG_SM4 = 0x0013;
    private static final int TPM_ALG_CAMELLIA = 0x0026;

    private TpmStructures() {
    }

    // ---- TPM2B_PUBLIC / TPMT_PUBLIC (Part 2 §12.2.4, §12.2.5) ----

    /** Parses a TPM2B_PUBLIC, as {@code tpm2_createek -u}, {@code tpm2_createak -u} and {@code tpm2_create -u} write it. */
    public static TpmPublic parsePublic(byte[] tpm2bPublic) throws MalformedInputException {
        TpmReader r = reader(tpm2bPublic, "TPM2B_PUBLIC");
        int size = r.u16("TPM2B_PUBLIC size");
        if (size != r.remaining()) {
            throw new MalformedInputException(0, "TPM2B_PUBLIC size " + size + " does not match the " + r.remaining() + " bytes that follow");
        }
        return parseTpmt(r, "TPM2B_PUBLIC.publicArea");
    }

    /** Parses a bare TPMT_PUBLIC (no size prefix). */
    public static TpmPublic parseTpmtPublic(byte[] tpmtPublic) throws MalformedInputException {
        return parseTpmt(reader(tpmtPublic, "TPMT_PUBLIC"), "TPMT_PUBLIC");
    }

    private static TpmPublic parseTpmt(TpmReader r, String what) throws MalformedInputException {
        int start = r.offset();
        int typeAt = r.offset();
        int type = r.u16(what + ".type");
        if (type != TpmPublic.TPM_ALG_RSA && type != TpmPublic.TPM_ALG_ECC) {
            throw new MalformedInputException(typeAt, what + ".type " + hex(type) + " is not supported (expected TPM_ALG_RSA 0x0001 or TPM_ALG_ECC 0x0023)");
        }
        TpmHash nameAlg = hash(r, what + ".nameAlg");
        int attributes = (int) r.u32(what + ".objectAttributes");
        byte[] authPolicy = r.tpm2b(what + ".authPolicy", MAX_DIGEST_BYTES);
        TpmPublic.Symmetric symmetric = symmetric(r, what + ".parameters.symmetric");
        TpmPublic.Parameters parameters;
        PublicKey key;
        if (type == TpmPublic.TPM_ALG_RSA) {
            int schemeAt = r.offset();
            int scheme = r.u16(what + ".parameters.scheme");
            int schemeHash = switch (scheme) {
                case TPM_ALG_NULL, TPM_ALG_RSAES -> 0;
                case TpmSignature.TPM_ALG_RSASSA, TpmSignature.TPM_ALG_RSAPSS, TPM_ALG_OAEP -> hash(r, what + ".parameters.scheme.hashAlg").id();
                default -> throw new MalformedInputException(schemeAt, what + ".parameters.scheme " + hex(scheme)
                        + " is not an RSA scheme (expected NULL, RSASSA, RSAPSS, RSAES or OAEP)");
            };
            int bitsAt = r.offset();
            int keyBits = r.u16(what + ".parameters.keyBits");
            if (keyBits < 1024 || keyBits > MAX_RSA_KEY_BYTES * 8 || keyBits % 8 != 0) {
                throw new MalformedInputException(bitsAt, what + ".parameters.keyBits " + keyBits + " (expected a multiple of 8 in 1024..4096)");
            }
            long exponent = r.u32(what + ".parameters.exponent");
            int modAt = r.offset();
            byte[] modulus = r.tpm2b(what + ".unique.rsa", MAX_RSA_KEY_BYTES);
            if (modulus.length != keyBits / 8 || (modulus[0] & 0x80) == 0) {
                throw new MalformedInputException(modAt, what + ".unique.rsa: a " + modulus.length + "-byte modulus"
                        + (modulus.length > 0 ? " of " + new BigInteger(1, modulus).bitLength() + " bits" : "") + " for keyBits " + keyBits
                        + " (expected exactly " + keyBits / 8 + " bytes, top bit set)");
            }
            long e = exponent == 0 ? 65537 : exponent;
            if (e < 3 || (e & 1) == 0) {
                throw new MalformedInputException(modAt - 4, what + ".parameters.exponent " + exponent + " (expected 0 for 65537, or an odd value >= 3)");
            }
            parameters = new TpmPublic.Rsa(symmetric, scheme, schemeHash, keyBits, exponent, Bytes.wrapOwned(modulus));
            key = rsaKey(new BigInteger(1, modulus), BigInteger.valueOf(e));
        } else {
            int schemeAt = r.offset();
            int scheme = r.u16(what + ".parameters.scheme");
            int schemeHash = switch (scheme) {
                case TPM_ALG_NULL -> 0;
                case TpmSignature.TPM_ALG_ECDSA, TPM_ALG_ECDH, TPM_ALG_SM2, TPM_ALG_ECSCHNORR, TPM_ALG_ECMQV -> hash(r, what + ".parameters.scheme.hashAlg").id();
                case TPM_ALG_ECDAA -> {
                    int h = hash(r, what + ".parameters.scheme.hashAlg").id();
                    r.u16(what + ".parameters.scheme.count");
                    yield h;
                }
                default -> throw new MalformedInputException(schemeAt, what + ".parameters.scheme " + hex(scheme)
                        + " is not an ECC scheme (expected NULL, ECDSA, ECDAA, SM2, ECSCHNORR, ECDH or ECMQV)");
            };
            int curveAt = r.offset();
            int curve = r.u16(what + ".parameters.curveID");
            String curveName = switch (curve) {
                case TpmPublic.Ecc.NIST_P256 -> "P-256";
                case TpmPublic.Ecc.NIST_P384 -> "P-384";
                case TpmPublic.Ecc.NIST_P521 -> "P-521";
                default -> throw new MalformedInputException(curveAt, what + ".parameters.curveID " + hex(curve)
                        + " is not supported (expected NIST P-256 0x0003, P-384 0x0004 or P-521 0x0005)");
            };
            int kdfAt = r.offset();
            int kdf = r.u16(what + ".parameters.kdf");
            int kdfHash = switch (kdf) {
                case TPM_ALG_NULL -> 0;
                case TPM_ALG_MGF1, TPM_ALG_KDF1_SP800_56A, TPM_ALG_KDF2, TPM_ALG_KDF1_SP800_108 -> hash(r, what + ".parameters.kdf.hashAlg").id();
                default -> throw new MalformedInputException(kdfAt, what + ".parameters.kdf " + hex(kdf) + " is not a key derivation scheme");
            };
            int pointAt = r.offset();
            byte[] x = r.tpm2b(what + ".unique.ecc.x", MAX_ECC_KEY_BYTES);
            byte[] y = r.tpm2b(what + ".unique.ecc.y", MAX_ECC_KEY_BYTES);
            parameters = new TpmPublic.Ecc(symmetric, scheme, schemeHash, curve, kdf, kdfHash, Bytes.wrapOwned(x), Bytes.wrapOwned(y));
            key = ecKey(curveName, new BigInteger(1, x), new BigInteger(1, y), pointAt, what + ".unique.ecc");
        }
        byte[] encoded = r.since(start);
        r.expectEnd(what);
        return new TpmPublic(type, nameAlg, attributes, Bytes.wrapOwned(authPolicy), parameters, key, Bytes.wrapOwned(encoded));
    }

    private static TpmPublic.Symmetric symmetric(TpmReader r, String what) throws MalformedInputException {
        int at = r.offset();
        int alg = r.u16(what + ".algorithm");
        if (alg == TPM_ALG_NULL) return new TpmPublic.Symmetric(TPM_ALG_NULL, 0, 0);
        if (alg != TpmPublic.Symmetric.TPM_ALG_AES && alg != TPM_ALG_SM4 && alg != TPM_ALG_CAMELLIA) {
            throw new MalformedInputException(at, what + ".algorithm " + hex(alg) + " (expected NULL, AES, SM4 or CAMELLIA)");
        }
        int bits = r.u16(what + ".keyBits");
        int mode = r.u16(what + ".mode");
        return new TpmPublic.Symmetric(alg, bits, mode);
    }

    private static TpmHash hash(TpmReader r, String what) throws MalformedInputException {
        int at = r.offset();
        int id = r.u16(what);
        return TpmHash.of(id).orElseThrow(() -> new MalformedInputException(at,
                what + " " + hex(id) + " is not a supported hash (expected SHA1 0x0004, SHA256 0x000B, SHA384 0x000C or SHA512 0x000D)"));
    }

    // ---- TPMS_ATTEST (Part 2 §10.12.12) ----

    /** Parses the TPMS_ATTEST of a {@code TPM2_Certify} (the {@code attestationData} of TPM2B_ATTEST, as {@code tpm2_certify -o} writes it). */
    public static TpmAttest parseAttest(byte[] tpmsAttest) throws MalformedInputException {
        TpmReader r = reader(tpmsAttest, "TPMS_ATTEST");
        long magic = r.u32("TPMS_ATTEST.magic");
        if (magic != TpmAttest.TPM_GENERATED_VALUE) {
            throw new MalformedInputException(0, "TPMS_ATTEST.magic " + hex32(magic) + " (expected TPM_GENERATED_VALUE 0xff544347)");
        }
        int type = r.u16("TPMS_ATTEST.type");
        if (type != TpmAttest.TPM_ST_ATTEST_CERTIFY) {
            throw new MalformedInputException(4, "TPMS_ATTEST.type " + hex(type) + " (expected TPM_ST_ATTEST_CERTIFY 0x8017)");
        }
        byte[] signer = r.tpm2b("TPMS_ATTEST.qualifiedSigner", MAX_NAME_BYTES);
        byte[] extra = r.tpm2b("TPMS_ATTEST.extraData", MAX_DIGEST_BYTES);
        long clock = r.u64("TPMS_ATTEST.clockInfo.clock");
        long resets = r.u32("TPMS_ATTEST.clockInfo.resetCount");
        long restarts = r.u32("TPMS_ATTEST.clockInfo.restartCount");
        int safeAt = r.offset();
        int safe = r.u8("TPMS_ATTEST.clockInfo.safe");
        if (safe > 1) throw new MalformedInputException(safeAt, "TPMS_ATTEST.clockInfo.safe " + safe + " (expected TPMI_YES_NO 0 or 1)");
        long firmware = r.u64("TPMS_ATTEST.firmwareVersion");
        int nameAt = r.offset();
        byte[] name = r.tpm2b("TPMS_CERTIFY_INFO.name", MAX_NAME_BYTES);
        checkName(name, nameAt, "TPMS_CERTIFY_INFO.name");
        byte[] qualified = r.tpm2b("TPMS_CERTIFY_INFO.qualifiedName", MAX_NAME_BYTES);
        r.expectEnd("TPMS_ATTEST");
        return new TpmAttest(Bytes.wrapOwned(signer), Bytes.wrapOwned(extra),
                new TpmAttest.ClockInfo(clock, resets, restarts, safe == 1), firmware,
                Bytes.wrapOwned(name), Bytes.wrapOwned(qualified), Bytes.copyOf(tpmsAttest));
    }

    private static void checkName(byte[] name, int at, String what) throws MalformedInputException {
        if (name.length < 2) throw new MalformedInputException(at, what + " of " + name.length + " bytes (expected an algorithm id and a digest)");
        int alg = ((name[0] & 0xff) << 8) | (name[1] & 0xff);
        var hash = TpmHash.of(alg);
        if (hash.isEmpty() || hash.get().size() != name.length - 2) {
            throw new MalformedInputException(at, what + " starts with " + hex(alg) + " and holds " + (name.length - 2)
                    + " digest bytes (expected a hash id and a digest of its size)");
        }
    }

    // ---- TPMT_SIGNATURE (Part 2 §11.3.4) ----

    /** Parses a TPMT_SIGNATURE ({@code tpm2_certify -s} in its default {@code tss} format). */
    public static TpmSignature parseSignature(byte[] tpmtSignature) throws MalformedInputException {
        TpmReader r = reader(tpmtSignature, "TPMT_SIGNATURE");
        int alg = r.u16("TPMT_SIGNATURE.sigAlg");
        TpmSignature sig = switch (alg) {
            case TpmSignature.TPM_ALG_RSASSA -> {
                TpmHash h = hash(r, "TPMS_SIGNATURE_RSASSA.hash");
                yield new TpmSignature.RsaSsa(h, Bytes.wrapOwned(nonEmpty(r, "TPMS_SIGNATURE_RSASSA.sig", MAX_RSA_KEY_BYTES)));
            }
            case TpmSignature.TPM_ALG_RSAPSS -> {
                TpmHash h = hash(r, "TPMS_SIGNATURE_RSAPSS.hash");
                yield new TpmSignature.RsaPss(h, Bytes.wrapOwned(nonEmpty(r, "TPMS_SIGNATURE_RSAPSS.sig", MAX_RSA_KEY_BYTES)));
            }
            case TpmSignature.TPM_ALG_ECDSA -> {
                TpmHash h = hash(r, "TPMS_SIGNATURE_ECDSA.hash");
                byte[] sr = nonEmpty(r, "TPMS_SIGNATURE_ECDSA.signatureR", MAX_ECC_KEY_BYTES);
                byte[] ss = nonEmpty(r, "TPMS_SIGNATURE_ECDSA.signatureS", MAX_ECC_KEY_BYTES);
                yield new TpmSignature.Ecdsa(h, Bytes.wrapOwned(sr), Bytes.wrapOwned(ss));
            }
            default -> throw new MalformedInputException(0, "TPMT_SIGNATURE.sigAlg " + hex(alg) + " is not supported (expected RSASSA 0x0014, RSAPSS 0x0016 or ECDSA 0x0018)");
        };
        r.expectEnd("TPMT_SIGNATURE");
        return sig;
    }

    private static byte[] nonEmpty(TpmReader r, String what, int max) throws MalformedInputException {
        int at = r.offset();
        byte[] b = r.tpm2b(what, max);
        if (b.length == 0) throw new MalformedInputException(at, what + " is empty");
        return b;
    }

    /**
     * Verifies {@code signature} over {@code message} with {@code key}: the signature's scheme must
     * suit the key's type, and for a key with a fixed scheme (any restricted signing key) it must be
     * exactly that scheme and hash. RSA-PSS accepts the salt lengths TPMs use (the digest size, or
     * the largest that fits, Part 1 §B.7).
     */
    public static boolean verify(TpmPublic key, TpmSignature signature, byte[] message) {
        TpmPublic.Parameters p = key.parameters();
        int sigAlg = switch (signature) {
            case TpmSignature.RsaSsa s -> TpmSignature.TPM_ALG_RSASSA;
            case TpmSignature.RsaPss s -> TpmSignature.TPM_ALG_RSAPSS;
            case TpmSignature.Ecdsa s -> TpmSignature.TPM_ALG_ECDSA;
        };
        if (p.scheme() != TPM_ALG_NULL && (p.scheme() != sigAlg || p.schemeHash() != signature.hash().id())) return false;
        try {
            return switch (signature) {
                case TpmSignature.RsaSsa s when p instanceof TpmPublic.Rsa -> {
                    Signature v = Signature.getInstance(signature.hash().signaturePrefix() + "withRSA");
                    v.initVerify(key.publicKey());
                    v.update(message);
                    yield v.verify(s.signature().toArray());
                }
                case TpmSignature.RsaPss s when p instanceof TpmPublic.Rsa rsa -> {
                    int digest = signature.hash().size();
                    int max = rsa.keyBits() / 8 - digest - 2;
                    yield pss(key.publicKey(), signature.hash(), digest, s, message) || pss(key.publicKey(), signature.hash(), max, s, message);
                }
                case TpmSignature.Ecdsa s when p instanceof TpmPublic.Ecc -> {
                    ASN1EncodableVector v = new ASN1EncodableVector();
                    v.add(new ASN1Integer(new BigInteger(1, s.r().toArray())));
                    v.add(new ASN1Integer(new BigInteger(1, s.s().toArray())));
                    Signature ver = Signature.getInstance(signature.hash().signaturePrefix() + "withECDSA");
                    ver.initVerify(key.publicKey());
                    ver.update(message);
                    yield ver.verify(new DERSequence(v).getEncoded());
                }
                default -> false;
            };
        } catch (GeneralSecurityException | IOException e) {
            return false;
        }
    }

    private static boolean pss(PublicKey key, TpmHash hash, int salt, TpmSignature.RsaPss s, byte[] message) throws GeneralSecurityException {
        Signature v = Signature.getInstance("RSASSA-PSS");
        v.setParameter(new PSSParameterSpec(hash.jcaName(), "MGF1", new MGF1ParameterSpec(hash.jcaName()), salt, 1));
        v.initVerify(key);
        v.update(message);
        return v.verify(s.signature().toArray());
    }

    // ---- TPM2B_ID_OBJECT, TPM2B_ENCRYPTED_SECRET (Part 2 §12.4.3, §11.4.33) and the tpm2-tools file ----

    /** TPM2B_ID_OBJECT: the credential blob (integrityHMAC as TPM2B_DIGEST, then encIdentity) with its size. */
    public static byte[] encodeIdObject(byte[] credentialBlob) {
        return new TpmWriter().tpm2b(credentialBlob).toByteArray();
    }

    /** TPM2B_ENCRYPTED_SECRET: the seed encrypted to the EK (an OAEP block, or a marshalled TPMS_ECC_POINT) with its size. */
    public static byte[] encodeEncryptedSecret(byte[] secret) {
        return new TpmWriter().tpm2b(secret).toByteArray();
    }

    /**
     * The file {@code tpm2_makecredential -o} writes and {@code tpm2_activatecredential -i} reads:
     * magic 0xBADCC0DE and version 1 (both 32-bit big-endian), TPM2B_ID_OBJECT, TPM2B_ENCRYPTED_SECRET.
     */
    public static byte[] encodeTpm2ToolsCredential(MakeCredential.Result credential) {
        return new TpmWriter().u32(TPM2_TOOLS_MAGIC).u32(1)
                .tpm2b(credential.credentialBlob().toArray())
                .tpm2b(credential.encryptedSecret().toArray())
                .toByteArray();
    }

    /** Parses a tpm2-tools credential file (see {@link #encodeTpm2ToolsCredential}). */
    public static MakeCredential.Result parseTpm2ToolsCredential(byte[] file) throws MalformedInputException {
        TpmReader r = reader(file, "tpm2-tools credential file");
        long magic = r.u32("credential file magic");
        if (magic != TPM2_TOOLS_MAGIC) throw new MalformedInputException(0, "credential file magic " + hex32(magic) + " (expected 0xbadcc0de)");
        long version = r.u32("credential file version");
        if (version != 1) throw new MalformedInputException(4, "credential file version " + version + " (expected 1)");
        // TPM2B_ID_OBJECT holds a TPM2B_DIGEST and an encrypted TPM2B_DIGEST: at most 2 * (2 + 64) bytes.
        int blobAt = r.offset();
        byte[] blob = r.tpm2b("TPM2B_ID_OBJECT", 2 * (2 + MAX_DIGEST_BYTES));
        TpmReader inner = new TpmReader(blob);
        inner.tpm2b("TPM2B_ID_OBJECT.integrityHMAC", MAX_DIGEST_BYTES);
        if (inner.remaining() < 2) throw new MalformedInputException(blobAt + 2 + blob.length, "TPM2B_ID_OBJECT.encIdentity is shorter than a TPM2B_DIGEST size");
        byte[] secret = r.tpm2b("TPM2B_ENCRYPTED_SECRET", MAX_RSA_KEY_BYTES);
        r.expectEnd("the credential file");
        return new MakeCredential.Result(Bytes.wrapOwned(blob), Bytes.wrapOwned(secret));
    }

    // ---- helpers ----

    private static TpmReader reader(byte[] input, String what) throws MalformedInputException {
        if (input == null || input.length == 0) throw new MalformedInputException(0, what + " is empty");
        if (input.length > MAX_STRUCTURE_BYTES) {
            throw new MalformedInputException(MAX_STRUCTURE_BYTES, what + " of " + input.length + " bytes exceeds the limit of " + MAX_STRUCTURE_BYTES);
        }
        return new TpmReader(input);
    }

    static PublicKey rsaKey(BigInteger modulus, BigInteger exponent) {
        try {
            return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(modulus, exponent));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK refused an RSA key it always accepts", e);
        }
    }

    private static PublicKey ecKey(String curve, BigInteger x, BigInteger y, int at, String what) throws MalformedInputException {
        X9ECParameters params = ECNamedCurveTable.getByName(curve);
        try {
            params.getCurve().validatePoint(x, y);
        } catch (IllegalArgumentException e) {
            throw new MalformedInputException(at, what + " is not a point on " + curve);
        }
        try {
            AlgorithmParameters ap = AlgorithmParameters.getInstance("EC");
            ap.init(new ECGenParameterSpec(curve.equals("P-256") ? "secp256r1" : curve.equals("P-384") ? "secp384r1" : "secp521r1"));
            ECParameterSpec spec = ap.getParameterSpec(ECParameterSpec.class);
            return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(x, y), spec));
        } catch (GeneralSecurityException e) {
            throw new MalformedInputException(at, what + " is not a valid " + curve + " public key: " + e.getMessage());
        }
    }

    /** True when the two keys are the same RSA (modulus, exponent) or EC (curve, point) key. */
    public static boolean sameKey(PublicKey a, PublicKey b) {
        if (a instanceof RSAPublicKey ra && b instanceof RSAPublicKey rb) {
            return ra.getModulus().equals(rb.getModulus()) && ra.getPublicExponent().equals(rb.getPublicExponent());
        }
        if (a instanceof ECPublicKey ea && b instanceof ECPublicKey eb) {
            return ea.getW().equals(eb.getW()) && ea.getParams().getCurve().equals(eb.getParams().getCurve());
        }
        return false;
    }

    static String hex(int v) {
        return String.format("0x%04x", v);
    }

    private static String hex32(long v) {
        return String.format("0x%08x", v);
    }
}
