package dev.holdfast.provisioning.tpm;

import dev.holdfast.pki.Bytes;
import dev.holdfast.pki.MalformedInputException;
import dev.holdfast.pki.RefusedException;
import dev.holdfast.pki.internal.CsrValidator;
import dev.holdfast.provisioning.tpm.TpmAttestationException.Reason;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Holdfast's TPM-bound X.509 attestation (PROTOCOLS.md "Holdfast's own TPM-bound X.509 flow"), as
 * a stateless pair of calls around one device round trip:
 *
 * <ol>
 *   <li>{@link #challenge}: the device presents its EK (public area and/or EK certificate) and an
 *       attestation key; the EK certificate is validated against the TPM manufacturer roots and
 *       must be for the presented EK; the AK must be a restricted signing key fixed to its TPM. The
 *       result carries a credential made for (EK, name of AK) protecting a fresh random secret, and
 *       a nonce.</li>
 *   <li>The device runs TPM2_ActivateCredential (only its TPM can, and only if the AK is in it),
 *       creates a key, has the AK certify it with the nonce as qualifying data, and signs a CSR with
 *       it.</li>
 *   <li>{@link #verify}: the secret matches (constant time), the challenge is not expired, the
 *       certification is a genuine TPM structure signed by the AK over the nonce and names the
 *       presented key, the key is fixedTPM/fixedParent/sensitiveDataOrigin and signs, the CSR is for
 *       that key and its self-signature verifies; last, the caller's {@link ChallengeLedger}
 *       consumes the challenge, so a replay of a successful activation is refused.</li>
 * </ol>
 *
 * <p>Thread-safe. Security events are the caller's: every refusal carries a {@link Reason}.
 */
public final class TpmAttestation {
    /** Secrets and nonces: 256 bits. */
    private static final int SECRET_BYTES = 32;
    private static final int EK_REQUIRED = TpmPublic.ATTR_FIXED_TPM | TpmPublic.ATTR_FIXED_PARENT
            | TpmPublic.ATTR_RESTRICTED | TpmPublic.ATTR_DECRYPT;
    private static final int AK_REQUIRED = TpmPublic.ATTR_FIXED_TPM | TpmPublic.ATTR_FIXED_PARENT
            | TpmPublic.ATTR_RESTRICTED | TpmPublic.ATTR_SIGN;
    private static final int KEY_REQUIRED = TpmPublic.ATTR_FIXED_TPM | TpmPublic.ATTR_FIXED_PARENT
            | TpmPublic.ATTR_SENSITIVE_DATA_ORIGIN | TpmPublic.ATTR_SIGN;
    /** The policy digest of the default EK templates: PolicySecret(TPM_RH_ENDORSEMENT) (EK Credential Profile §B.3.3). */
    private static final byte[] DEFAULT_EK_POLICY = HexFormat.of().parseHex("837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa");
    /** fixedTPM|fixedParent|sensitiveDataOrigin|adminWithPolicy|restricted|decrypt: the default EK templates' attributes. */
    private static final int DEFAULT_EK_ATTRIBUTES = 0x000300b2;
    private static final ASN1ObjectIdentifier RSAES_OAEP = PKCSObjectIdentifiers.id_RSAES_OAEP;

    private final Optional<TpmEkRoots> ekRoots;
    private final Clock clock;
    private final Duration challengeValidity;
    private final SecureRandom random;

    /**
     * @param ekRoots           the TPM manufacturer roots; empty refuses every EK certificate (only EK
     *                          public keys enrolled out of band can then attest)
     * @param clock             for challenge expiry and certificate validity
     * @param challengeValidity how long a device has to answer; between 10 s and 1 h
     */
    public TpmAttestation(Optional<TpmEkRoots> ekRoots, Clock clock, Duration challengeValidity, SecureRandom random) {
        this.ekRoots = Objects.requireNonNull(ekRoots, "ekRoots");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
        if (challengeValidity == null || challengeValidity.compareTo(Duration.ofSeconds(10)) < 0 || challengeValidity.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("challengeValidity: " + challengeValidity + " (expected: PT10S..PT1H)");
        }
        this.challengeValidity = challengeValidity;
    }

    /**
     * Checks the endorsement and the AK, then makes a credential for them.
     *
     * @param akPublic the AK's TPM2B_PUBLIC ({@code tpm2_createak -u})
     * @throws TpmAttestationException MALFORMED, EK_UNSUPPORTED, EK_CERTIFICATE_UNTRUSTED, EK_MISMATCH or AK_ATTRIBUTES
     */
    public TpmChallenge challenge(TpmEndorsement endorsement, byte[] akPublic) throws TpmAttestationException {
        Objects.requireNonNull(endorsement, "endorsement");
        Instant now = clock.instant();
        Optional<X509Certificate> ekCert = Optional.empty();
        if (endorsement.ekCertificate().isPresent()) {
            ekCert = Optional.of(validateEkCertificate(endorsement, now));
        }
        TpmPublic ek;
        if (endorsement.ekPublic().isPresent()) {
            ek = parse(() -> TpmStructures.parsePublic(endorsement.ekPublic().get().toArray()), "EK public area");
            if (ekCert.isPresent() && !TpmStructures.sameKey(ek.publicKey(), certificateKey(ekCert.get()))) {
                throw new TpmAttestationException(Reason.EK_MISMATCH, "the EK certificate is for another key than the EK public area presented");
            }
        } else {
            ek = defaultEkTemplate(certificateKey(ekCert.orElseThrow()));
        }
        checkEk(ek);

        TpmPublic ak = parse(() -> TpmStructures.parsePublic(akPublic), "AK public area");
        if (!ak.has(AK_REQUIRED) || ak.has(TpmPublic.ATTR_DECRYPT)) {
            throw new TpmAttestationException(Reason.AK_ATTRIBUTES, "the attestation key has attributes " + ak.attributeNames()
                    + " (expected fixedtpm|fixedparent|restricted|sign and not decrypt)");
        }

        byte[] secret = new byte[Math.min(SECRET_BYTES, ek.nameAlg().size())];
        random.nextBytes(secret);
        byte[] nonce = new byte[SECRET_BYTES];
        random.nextBytes(nonce);
        byte[] id = new byte[16];
        random.nextBytes(id);
        Bytes akName = ak.name();
        MakeCredential.Result credential = MakeCredential.make(ek, akName, secret, random);
        byte[] secretHash = TpmHash.SHA256.digest(secret);
        java.util.Arrays.fill(secret, (byte) 0);
        return new TpmChallenge(HexFormat.of().formatHex(id), now, now.plus(challengeValidity), Bytes.wrapOwned(ek.toTpm2b()), ek.name(),
                ekCert.map(TpmAttestation::sha256Hex), Bytes.wrapOwned(ak.toTpm2b()), akName,
                credential.credentialBlob(), credential.encryptedSecret(), Bytes.wrapOwned(secretHash), Bytes.wrapOwned(nonce));
    }

    /**
     * Verifies the device's answer and, only if everything holds, consumes the challenge.
     *
     * @param challenge the record {@link #challenge} returned, from the caller's storage
     * @param ledger    one-time use; consulted last, so only a fully valid activation uses up a challenge
     * @throws TpmAttestationException with the first rule that failed
     */
    public AttestedKey verify(TpmChallenge challenge, TpmActivation activation, ChallengeLedger ledger) throws TpmAttestationException {
        Objects.requireNonNull(challenge, "challenge");
        Objects.requireNonNull(activation, "activation");
        Objects.requireNonNull(ledger, "ledger");
        Instant now = clock.instant();
        if (!now.isBefore(challenge.expiresAt())) {
            throw new TpmAttestationException(Reason.CHALLENGE_EXPIRED, "the challenge expired at " + challenge.expiresAt());
        }
        byte[] presented = TpmHash.SHA256.digest(activation.activatedSecret().toArray());
        if (!MessageDigest.isEqual(presented, challenge.secretSha256().toArray())) {
            throw new TpmAttestationException(Reason.WRONG_SECRET,
                    "the activated secret does not match the credential (the AK and the EK are not in the same TPM)");
        }
        TpmPublic key = parse(() -> TpmStructures.parsePublic(activation.keyPublic().toArray()), "key public area");
        TpmAttest attest = parse(() -> TpmStructures.parseAttest(activation.certifyInfo().toArray()), "certify info");
        TpmSignature signature = parse(() -> TpmStructures.parseSignature(activation.certifySignature().toArray()), "certify signature");
        TpmPublic ak = parse(() -> TpmStructures.parsePublic(challenge.akPublic().toArray()), "stored AK public area");

        if (!TpmStructures.verify(ak, signature, attest.encoded().toArray())) {
            throw new TpmAttestationException(Reason.CERTIFY_SIGNATURE_INVALID, "the certify info is not signed by the challenge's attestation key");
        }
        if (!MessageDigest.isEqual(attest.extraData().toArray(), challenge.nonce().toArray())) {
            throw new TpmAttestationException(Reason.NONCE_MISMATCH, "the certification's qualifying data is not this challenge's nonce");
        }
        Bytes keyName = key.name();
        if (!attest.certifiedName().equals(keyName)) {
            throw new TpmAttestationException(Reason.CERTIFIED_KEY_MISMATCH, "the certification is for the object " + attest.certifiedName().hex()
                    + ", not for the presented key " + keyName.hex());
        }
        if (!key.has(KEY_REQUIRED) || key.has(TpmPublic.ATTR_DECRYPT)) {
            throw new TpmAttestationException(Reason.KEY_ATTRIBUTES, "the certified key has attributes " + key.attributeNames()
                    + " (expected fixedtpm|fixedparent|sensitivedataorigin|sign and not decrypt)");
        }
        CsrValidator.ValidatedCsr csr;
        try {
            csr = CsrValidator.validate(activation.csr().toArray());
        } catch (RefusedException e) {
            throw new TpmAttestationException(Reason.CSR_INVALID, e.refusal().publicMessage(), e);
        }
        if (!TpmStructures.sameKey(csr.publicKey(), key.publicKey())) {
            throw new TpmAttestationException(Reason.CSR_KEY_MISMATCH, "the CSR is for another key than the certified TPM key");
        }
        if (!ledger.consume(challenge.id(), challenge.expiresAt())) {
            throw new TpmAttestationException(Reason.CHALLENGE_REPLAYED, "the challenge " + challenge.id() + " was already used");
        }
        return new AttestedKey(challenge.id(), key.publicKey(), key, keyName, challenge.akName(), challenge.ekName(),
                challenge.ekCertificateSha256(), activation.csr(), csr.commonName(), attest.firmwareVersion());
    }

    private X509Certificate validateEkCertificate(TpmEndorsement endorsement, Instant now) throws TpmAttestationException {
        X509Certificate cert = certificate(endorsement.ekCertificate().get(), "EK certificate");
        List<X509Certificate> chain = new ArrayList<>();
        for (Bytes b : endorsement.ekChain()) chain.add(certificate(b, "EK chain certificate"));
        TpmEkRoots roots = ekRoots.orElseThrow(() -> new TpmAttestationException(Reason.EK_CERTIFICATE_UNTRUSTED,
                "no TPM manufacturer roots are configured, so no EK certificate can be trusted"));
        try {
            roots.validate(cert, chain, now);
        } catch (GeneralSecurityException e) {
            throw new TpmAttestationException(Reason.EK_CERTIFICATE_UNTRUSTED, "the EK certificate issued by '"
                    + cert.getIssuerX500Principal().getName() + "' does not chain to a TPM manufacturer root: " + e.getMessage(), e);
        }
        return cert;
    }

    private static void checkEk(TpmPublic ek) throws TpmAttestationException {
        if (!ek.has(EK_REQUIRED) || ek.has(TpmPublic.ATTR_SIGN)) {
            throw new TpmAttestationException(Reason.EK_UNSUPPORTED, "the EK has attributes " + ek.attributeNames()
                    + " (expected fixedtpm|fixedparent|restricted|decrypt, not sign)");
        }
        TpmPublic.Symmetric sym = ek.parameters().symmetric();
        if (sym.algorithm() != TpmPublic.Symmetric.TPM_ALG_AES || sym.mode() != TpmPublic.Symmetric.TPM_ALG_CFB) {
            throw new TpmAttestationException(Reason.EK_UNSUPPORTED, "the EK's symmetric algorithm is not AES-CFB (TCG EK Credential Profile templates)");
        }
        switch (ek.parameters()) {
            case TpmPublic.Rsa rsa when rsa.keyBits() < 2048 ->
                    throw new TpmAttestationException(Reason.EK_UNSUPPORTED, "RSA EK of " + rsa.keyBits() + " bits (expected at least 2048)");
            case TpmPublic.Ecc ecc when ecc.curve() == TpmPublic.Ecc.NIST_P521 ->
                    throw new TpmAttestationException(Reason.EK_UNSUPPORTED, "ECC EK on P-521 (expected P-256 or P-384)");
            default -> {
            }
        }
    }

    /**
     * The EK public area a TPM derives from the default template for {@code key} (TCG EK Credential
     * Profile 2.x, templates L-1 RSA 2048 and L-2 ECC P-256): SHA-256, AES-128-CFB, policy
     * PolicySecret(endorsement).
     */
    static TpmPublic defaultEkTemplate(PublicKey key) throws TpmAttestationException {
        TpmWriter w = new TpmWriter();
        if (key instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() == 2048 && rsa.getPublicExponent().equals(BigInteger.valueOf(65537))) {
            w.u16(TpmPublic.TPM_ALG_RSA).u16(TpmHash.SHA256.id()).u32(DEFAULT_EK_ATTRIBUTES).tpm2b(DEFAULT_EK_POLICY)
                    .u16(TpmPublic.Symmetric.TPM_ALG_AES).u16(128).u16(TpmPublic.Symmetric.TPM_ALG_CFB)
                    .u16(TpmStructures.TPM_ALG_NULL).u16(2048).u32(0).tpm2b(unsigned(rsa.getModulus(), 256));
        } else if (key instanceof ECPublicKey ec && ec.getParams().getCurve().getField().getFieldSize() == 256) {
            w.u16(TpmPublic.TPM_ALG_ECC).u16(TpmHash.SHA256.id()).u32(DEFAULT_EK_ATTRIBUTES).tpm2b(DEFAULT_EK_POLICY)
                    .u16(TpmPublic.Symmetric.TPM_ALG_AES).u16(128).u16(TpmPublic.Symmetric.TPM_ALG_CFB)
                    .u16(TpmStructures.TPM_ALG_NULL).u16(TpmPublic.Ecc.NIST_P256).u16(TpmStructures.TPM_ALG_NULL)
                    .tpm2b(unsigned(ec.getW().getAffineX(), 32)).tpm2b(unsigned(ec.getW().getAffineY(), 32));
        } else {
            throw new TpmAttestationException(Reason.EK_UNSUPPORTED, "the EK certificate's key is neither RSA 2048 (exponent 65537) nor ECC P-256;"
                    + " present the EK public area with it");
        }
        try {
            TpmPublic ek = TpmStructures.parseTpmtPublic(w.toByteArray());
            if (!TpmStructures.sameKey(ek.publicKey(), key)) {
                throw new TpmAttestationException(Reason.EK_UNSUPPORTED, "the EK certificate's key is not on the P-256 curve");
            }
            return ek;
        } catch (MalformedInputException e) {
            throw new TpmAttestationException(Reason.MALFORMED, "the EK certificate's key does not fit the default EK template: " + e.getMessage(), e);
        }
    }

    /**
     * The EK certificate's key. Many EK certificates label an RSA key id-RSAES-OAEP rather than
     * rsaEncryption (EK Credential Profile §3.2.7); the key is the same RSAPublicKey either way.
     */
    private static PublicKey certificateKey(X509Certificate cert) throws TpmAttestationException {
        try {
            var tbs = org.bouncycastle.asn1.x509.Certificate.getInstance(cert.getEncoded());
            SubjectPublicKeyInfo spki = tbs.getSubjectPublicKeyInfo();
            ASN1ObjectIdentifier alg = spki.getAlgorithm().getAlgorithm();
            if (alg.equals(PKCSObjectIdentifiers.rsaEncryption) || alg.equals(RSAES_OAEP)) {
                var k = org.bouncycastle.asn1.pkcs.RSAPublicKey.getInstance(spki.parsePublicKey());
                return TpmStructures.rsaKey(k.getModulus(), k.getPublicExponent());
            }
            if (alg.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
                return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(spki.getEncoded()));
            }
            throw new TpmAttestationException(Reason.EK_UNSUPPORTED, "EK certificate key algorithm " + alg.getId() + " (expected RSA or EC)");
        } catch (TpmAttestationException e) {
            throw e;
        } catch (Exception e) {
            throw new TpmAttestationException(Reason.MALFORMED, "the EK certificate's public key does not decode: " + e.getMessage(), e);
        }
    }

    private static X509Certificate certificate(Bytes der, String what) throws TpmAttestationException {
        try {
            var cf = CertificateFactory.getInstance("X.509");
            var in = new ByteArrayInputStream(der.toArray());
            X509Certificate c = (X509Certificate) cf.generateCertificate(in);
            if (in.available() > 0) throw new TpmAttestationException(Reason.MALFORMED, what + " has " + in.available() + " trailing bytes");
            return c;
        } catch (TpmAttestationException e) {
            throw e;
        } catch (Exception e) {
            throw new TpmAttestationException(Reason.MALFORMED, what + " is not a DER X.509 certificate: " + e.getMessage(), e);
        }
    }

    private static String sha256Hex(X509Certificate c) {
        try {
            return HexFormat.of().formatHex(TpmHash.SHA256.digest(c.getEncoded()));
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException("a parsed certificate does not re-encode", e);
        }
    }

    private static byte[] unsigned(BigInteger v, int len) {
        byte[] b = v.toByteArray();
        byte[] out = new byte[len];
        int copy = Math.min(len, b.length);
        System.arraycopy(b, b.length - copy, out, len - copy, copy);
        return out;
    }

    @FunctionalInterface
    private interface Parse<T> {
        T run() throws MalformedInputException;
    }

    private static <T> T parse(Parse<T> p, String what) throws TpmAttestationException {
        try {
            return p.run();
        } catch (MalformedInputException e) {
            throw new TpmAttestationException(Reason.MALFORMED, what + ": " + e.getMessage(), e);
        }
    }
}
