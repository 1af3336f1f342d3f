package dev.holdfast.provisioning.tpm;

import dev.holdfast.pki.Bytes;

import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.util.Arrays;
import java.util.Objects;

/**
 * {@code TPM2_MakeCredential} done in Java, without a TPM (TPM 2.0 Part 1 §24 "Credential
 * Protection", Part 3 §12.6, Part 1 §11.4.10 for the KDFs). The output can only be opened by
 * {@code TPM2_ActivateCredential} on the TPM that holds the EK's private key, and only if that TPM
 * also holds an object with the given name: that is how a verifier learns that an attestation key
 * lives in the same TPM as an endorsement key it trusts.
 *
 * <ol>
 *   <li>A random seed (the size of the EK's nameAlg digest) is protected to the EK: RSA-OAEP with
 *       the label {@code "IDENTITY\0"} for an RSA EK; for an ECC EK, one-pass ECDH with a fresh
 *       ephemeral key and KDFe (SP 800-56A) with the label {@code "IDENTITY"}, the secret then
 *       being the ephemeral public point.</li>
 *   <li>symKey = KDFa(nameAlg, seed, "STORAGE", name, "", EK symmetric key bits); the credential,
 *       marshalled as a TPM2B_DIGEST, is encrypted with the EK's symmetric algorithm (AES in CFB
 *       mode, zero IV) into encIdentity.</li>
 *   <li>hmacKey = KDFa(nameAlg, seed, "INTEGRITY", "", "", digest bits); integrityHMAC =
 *       HMAC(hmacKey, encIdentity || name).</li>
 *   <li>The credential blob (TPM2B_ID_OBJECT contents) is integrityHMAC as a TPM2B_DIGEST followed
 *       by encIdentity.</li>
 * </ol>
 */
public final class MakeCredential {
    private static final byte[] IDENTITY = "IDENTITY".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STORAGE = "STORAGE".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INTEGRITY = "INTEGRITY".getBytes(StandardCharsets.US_ASCII);

    private MakeCredential() {
    }

    /**
     * The two outputs of TPM2_MakeCredential, each without its TPM2B size.
     *
     * @param credentialBlob  the TPM2B_ID_OBJECT contents: integrityHMAC (TPM2B_DIGEST) || encIdentity
     * @param encryptedSecret the TPM2B_ENCRYPTED_SECRET contents: the seed protected to the EK
     */
    public record Result(Bytes credentialBlob, Bytes encryptedSecret) {
        public Result {
            Objects.requireNonNull(credentialBlob, "credentialBlob");
            Objects.requireNonNull(encryptedSecret, "encryptedSecret");
        }

        /** The file {@code tpm2_activatecredential -i} reads (see {@link TpmStructures#encodeTpm2ToolsCredential}). */
        public byte[] tpm2ToolsFile() {
            return TpmStructures.encodeTpm2ToolsCredential(this);
        }
    }

    /**
     * Protects {@code credential} to {@code ek} for the object named {@code objectName}.
     *
     * @param ek         a storage key: restricted, decrypt, with a symmetric algorithm (AES-CFB); an EK made
     *                   from the default templates is one
     * @param objectName the name of the object that must be in the EK's TPM (the AK's name)
     * @param credential the secret, 1 to nameAlg-digest-size bytes
     * @throws IllegalArgumentException when the EK cannot be a credential target or the sizes are wrong
     */
    public static Result make(TpmPublic ek, Bytes objectName, byte[] credential, SecureRandom random) {
        Objects.requireNonNull(ek, "ek");
        Objects.requireNonNull(objectName, "objectName");
        Objects.requireNonNull(random, "random");
        TpmHash nameAlg = ek.nameAlg();
        if (credential == null || credential.length == 0 || credential.length > nameAlg.size()) {
            throw new IllegalArgumentException("credential: " + (credential == null ? "null" : credential.length + " bytes")
                    + " (expected 1.." + nameAlg.size() + " bytes, the EK nameAlg digest size)");
        }
        if (!ek.has(TpmPublic.ATTR_RESTRICTED | TpmPublic.ATTR_DECRYPT) || ek.has(TpmPublic.ATTR_SIGN)) {
            throw new IllegalArgumentException("ek: attributes " + ek.attributeNames() + " (expected a storage key: restricted|decrypt, not sign)");
        }
        TpmPublic.Symmetric sym = ek.parameters().symmetric();
        if (sym.algorithm() != TpmPublic.Symmetric.TPM_ALG_AES || sym.mode() != TpmPublic.Symmetric.TPM_ALG_CFB
                || (sym.keyBits() != 128 && sym.keyBits() != 192 && sym.keyBits() != 256)) {
            throw new IllegalArgumentException("ek: symmetric algorithm " + TpmStructures.hex(sym.algorithm()) + "/" + sym.keyBits()
                    + "/" + TpmStructures.hex(sym.mode()) + " (expected AES-128, -192 or -256 in CFB mode)");
        }
        byte[] name = objectName.toArray();
        if (name.length < 2 || name.length > TpmStructures.MAX_NAME_BYTES) {
            throw new IllegalArgumentException("objectName: " + name.length + " bytes (expected 2.." + TpmStructures.MAX_NAME_BYTES + ")");
        }
        try {
            byte[] seed;
            byte[] encryptedSecret;
            switch (ek.parameters()) {
                case TpmPublic.Rsa rsa -> {
                    seed = new byte[nameAlg.size()];
                    random.nextBytes(seed);
                    Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPPadding");
                    byte[] label = Arrays.copyOf(IDENTITY, IDENTITY.length + 1);
                    oaep.init(Cipher.ENCRYPT_MODE, ek.publicKey(), new OAEPParameterSpec(nameAlg.jcaName(), "MGF1",
                            new MGF1ParameterSpec(nameAlg.jcaName()), new PSource.PSpecified(label)), random);
                    encryptedSecret = oaep.doFinal(seed);
                }
                case TpmPublic.Ecc ecc -> {
                    ECPublicKey ekKey = (ECPublicKey) ek.publicKey();
                    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
                    gen.initialize(ekKey.getParams(), random);
                    KeyPair ephemeral = gen.generateKeyPair();
                    KeyAgreement ecdh = KeyAgreement.getInstance("ECDH");
                    ecdh.init(ephemeral.getPrivate());
                    ecdh.doPhase(ekKey, true);
                    byte[] z = ecdh.generateSecret();
                    int coordinate = (ekKey.getParams().getCurve().getField().getFieldSize() + 7) / 8;
                    ECPublicKey e = (ECPublicKey) ephemeral.getPublic();
                    byte[] ex = fixed(e.getW().getAffineX().toByteArray(), coordinate);
                    byte[] ey = fixed(e.getW().getAffineY().toByteArray(), coordinate);
                    seed = kdfe(nameAlg, z, IDENTITY, ex, fixed(ekKey.getW().getAffineX().toByteArray(), coordinate), nameAlg.size() * 8);
                    Arrays.fill(z, (byte) 0);
                    encryptedSecret = new TpmWriter().tpm2b(ex).tpm2b(ey).toByteArray();
                }
            }
            byte[] symKey = kdfa(nameAlg, seed, STORAGE, name, new byte[0], sym.keyBits());
            byte[] hmacKey = kdfa(nameAlg, seed, INTEGRITY, new byte[0], new byte[0], nameAlg.size() * 8);
            Arrays.fill(seed, (byte) 0);

            Cipher cfb = Cipher.getInstance("AES/CFB/NoPadding");
            cfb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(symKey, "AES"), new IvParameterSpec(new byte[16]));
            byte[] encIdentity = cfb.doFinal(new TpmWriter().tpm2b(credential).toByteArray());
            Arrays.fill(symKey, (byte) 0);

            Mac mac = Mac.getInstance(nameAlg.hmacName());
            mac.init(new SecretKeySpec(hmacKey, nameAlg.hmacName()));
            mac.update(encIdentity);
            mac.update(name);
            byte[] integrity = mac.doFinal();
            Arrays.fill(hmacKey, (byte) 0);

            byte[] blob = new TpmWriter().tpm2b(integrity).bytes(encIdentity).toByteArray();
            return new Result(Bytes.wrapOwned(blob), Bytes.wrapOwned(encryptedSecret));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK refused a standard algorithm (RSA-OAEP, ECDH, AES-CFB or HMAC): " + e.getMessage(), e);
        }
    }

    /**
     * KDFa (Part 1 §11.4.10.2; SP 800-108 counter mode with HMAC): for i = 1, 2, ...
     * HMAC(key, [i]32 || label || 0x00 || contextU || contextV || [bits]32), truncated to {@code bits}.
     */
    static byte[] kdfa(TpmHash hash, byte[] key, byte[] label, byte[] contextU, byte[] contextV, int bits) throws GeneralSecurityException {
        Mac mac = Mac.getInstance(hash.hmacName());
        mac.init(new SecretKeySpec(key, hash.hmacName()));
        int bytes = (bits + 7) / 8;
        byte[] out = new byte[bytes];
        int done = 0;
        for (int counter = 1; done < bytes; counter++) {
            mac.update(be32(counter));
            mac.update(label);
            mac.update((byte) 0);
            mac.update(contextU);
            mac.update(contextV);
            mac.update(be32(bits));
            byte[] block = mac.doFinal();
            int n = Math.min(block.length, bytes - done);
            System.arraycopy(block, 0, out, done, n);
            done += n;
        }
        if (bits % 8 != 0) out[0] &= (byte) ((1 << (bits % 8)) - 1);
        return out;
    }

    /**
     * KDFe (Part 1 §11.4.10.3; SP 800-56A concatenation KDF): for i = 1, 2, ...
     * H([i]32 || Z || label || 0x00 || partyUInfo || partyVInfo), truncated to {@code bits}.
     */
    static byte[] kdfe(TpmHash hash, byte[] z, byte[] label, byte[] partyU, byte[] partyV, int bits) {
        int bytes = (bits + 7) / 8;
        byte[] out = new byte[bytes];
        int done = 0;
        byte[] labelZ = Arrays.copyOf(label, label.length + 1);
        for (int counter = 1; done < bytes; counter++) {
            byte[] block = hash.digest(be32(counter), z, labelZ, partyU, partyV);
            int n = Math.min(block.length, bytes - done);
            System.arraycopy(block, 0, out, done, n);
            done += n;
        }
        if (bits % 8 != 0) out[0] &= (byte) ((1 << (bits % 8)) - 1);
        return out;
    }

    private static byte[] be32(int v) {
        return new byte[]{(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    /** A big-endian unsigned integer left-padded (or stripped of its sign byte) to exactly {@code len} bytes. */
    private static byte[] fixed(byte[] twosComplement, int len) {
        byte[] out = new byte[len];
        int copy = Math.min(len, twosComplement.length);
        System.arraycopy(twosComplement, twosComplement.length - copy, out, len - copy, copy);
        return out;
    }
}
