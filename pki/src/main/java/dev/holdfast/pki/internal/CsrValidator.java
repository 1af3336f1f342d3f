package dev.holdfast.pki.internal;

import dev.holdfast.pki.MalformedInputException;
import dev.holdfast.pki.Refusal;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.DefaultDigestAlgorithmIdentifierFinder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.bc.BcECContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

import java.io.IOException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Optional;
import java.util.Set;

/**
 * Parses an untrusted PKCS#10 request (RFC 2986), proves possession of the key by checking the
 * request's self-signature, and applies the key policy: EC P-256/P-384, Ed25519, RSA ≥ 2048.
 *
 * <p>EC self-signatures are verified with BouncyCastle's lightweight ECDSA rather than the JDK's
 * SunEC: verification is the most expensive step of issuance, SunEC multiplies the two points of
 * an ECDSA verification one after the other with a generic multiplier, and BouncyCastle combines
 * them (Shamir's trick over precomputed tables), about four times faster for P-256 (see
 * docs/PERFORMANCE.md). Verification handles only public data, so the constant-time care that
 * matters for the CA's own signing key does not apply here. RSA and Ed25519 keep the JDK.
 */
public final class CsrValidator {
    /** A CSR larger than this is not a device CSR. */
    public static final int MAX_CSR_BYTES = 16 * 1024;
    /** Stateless once built: {@code build} returns a new verifier per key. */
    private static final BcECContentVerifierProviderBuilder EC_VERIFIERS =
            new BcECContentVerifierProviderBuilder(new DefaultDigestAlgorithmIdentifierFinder());
    /** The ECDSA signature algorithms (RFC 5758 §3.2) verified with BouncyCastle. */
    private static final Set<ASN1ObjectIdentifier> ECDSA_SHA2 = Set.of(X9ObjectIdentifiers.ecdsa_with_SHA256,
            X9ObjectIdentifiers.ecdsa_with_SHA384, X9ObjectIdentifiers.ecdsa_with_SHA512);

    private CsrValidator() {
    }

    /** A request that parsed, whose signature verified, and whose key the policy accepts. */
    public record ValidatedCsr(PKCS10CertificationRequest request, PublicKey publicKey, SubjectPublicKeyInfo keyInfo,
                               String keyDescription, Optional<String> commonName) {
        public X500Name subject() {
            return request.getSubject();
        }
    }

    /** Parses without judging: for fuzzing and for callers that only need the structure. */
    public static PKCS10CertificationRequest parse(byte[] der) throws MalformedInputException {
        if (der == null || der.length == 0) throw new MalformedInputException(0, "empty CSR (expected a DER PKCS#10 CertificationRequest, RFC 2986)");
        if (der.length > MAX_CSR_BYTES) throw new MalformedInputException(MAX_CSR_BYTES, "CSR of " + der.length + " bytes exceeds the limit of " + MAX_CSR_BYTES);
        if ((der[0] & 0xff) != 0x30) throw new MalformedInputException(0, "CSR does not start with a DER SEQUENCE (RFC 2986 §4.2)");
        try {
            PKCS10CertificationRequest req = new PKCS10CertificationRequest(der);
            // Touch the parts later steps read, so a structurally odd request fails here, once.
            req.getSubject();
            req.getSubjectPublicKeyInfo().getAlgorithm();
            req.getSignatureAlgorithm();
            req.getAttributes();
            return req;
        } catch (IOException e) {
            throw new MalformedInputException("CSR is not a valid PKCS#10 CertificationRequest (RFC 2986): " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new MalformedInputException("CSR is not a valid PKCS#10 CertificationRequest (RFC 2986): " + e.getClass().getSimpleName(), e);
        }
    }

    /** Parses, verifies the proof of possession and applies the key policy. Refusals are {@code INVALID}. */
    public static ValidatedCsr validate(byte[] der) {
        PKCS10CertificationRequest req;
        try {
            req = parse(der);
        } catch (MalformedInputException e) {
            throw Refusal.invalid("malformed-csr", e.getMessage()).initCauseAndReturn(e);
        }
        SubjectPublicKeyInfo spki = req.getSubjectPublicKeyInfo();
        PublicKey key = toPublicKey(spki);
        String description = keyPolicy(spki, key);
        try {
            ContentVerifierProvider verifier = verifierFor(spki, key, req.getSignatureAlgorithm().getAlgorithm());
            if (!req.isSignatureValid(verifier)) {
                throw Refusal.invalid("csr-signature-invalid", "the CSR's signature does not verify with its own public key (no proof of possession)");
            }
        } catch (dev.holdfast.pki.RefusedException e) {
            throw e;
        } catch (Exception e) {
            throw Refusal.invalid("csr-signature-invalid", "the CSR's signature cannot be verified: " + e.getMessage());
        }
        return new ValidatedCsr(req, key, spki, description, commonName(req.getSubject()));
    }

    private static ContentVerifierProvider verifierFor(SubjectPublicKeyInfo spki, PublicKey key, ASN1ObjectIdentifier signatureAlgorithm) throws IOException, OperatorCreationException {
        if (key.getAlgorithm().equals("EC") && ECDSA_SHA2.contains(signatureAlgorithm)) {
            AsymmetricKeyParameter ecKey = PublicKeyFactory.createKey(spki);
            return EC_VERIFIERS.build(ecKey);
        }
        // Anything else, including an EC key with a non-ECDSA signature algorithm, goes to the JDK,
        // which refuses mismatches (BouncyCastle's EC builder would take the digest and ignore the rest).
        return new JcaContentVerifierProviderBuilder().build(key);
    }

    static Optional<String> commonName(X500Name name) {
        var rdns = name.getRDNs(BCStyle.CN);
        if (rdns.length == 0) return Optional.empty();
        return Optional.of(IETFUtils.valueToString(rdns[0].getFirst().getValue()));
    }

    private static PublicKey toPublicKey(SubjectPublicKeyInfo spki) {
        ASN1ObjectIdentifier alg = spki.getAlgorithm().getAlgorithm();
        String jca;
        if (alg.equals(X9ObjectIdentifiers.id_ecPublicKey)) jca = "EC";
        else if (alg.equals(PKCSObjectIdentifiers.rsaEncryption)) jca = "RSA";
        else if (alg.equals(EdECObjectIdentifiers.id_Ed25519)) jca = "Ed25519";
        else throw Refusal.invalid("key-algorithm-refused", "key algorithm " + alg.getId() + " is not allowed (expected: EC P-256/P-384, Ed25519 or RSA >= 2048)");
        try {
            return KeyFactory.getInstance(jca).generatePublic(new X509EncodedKeySpec(spki.getEncoded()));
        } catch (Exception e) {
            throw Refusal.invalid("malformed-csr", "the CSR's " + jca + " public key does not decode: " + e.getMessage());
        }
    }

    private static String keyPolicy(SubjectPublicKeyInfo spki, PublicKey key) {
        ASN1ObjectIdentifier alg = spki.getAlgorithm().getAlgorithm();
        if (alg.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
            var params = spki.getAlgorithm().getParameters();
            if (!(params instanceof ASN1ObjectIdentifier curve)) {
                throw Refusal.invalid("key-algorithm-refused", "EC keys must name their curve (RFC 5480 §2.1.1 namedCurve)");
            }
            if (curve.equals(SECObjectIdentifiers.secp256r1)) return "EC P-256";
            if (curve.equals(SECObjectIdentifiers.secp384r1)) return "EC P-384";
            throw Refusal.invalid("key-algorithm-refused", "EC curve " + curve.getId() + " is not allowed (expected: P-256 or P-384)");
        }
        if (alg.equals(EdECObjectIdentifiers.id_Ed25519)) return "Ed25519";
        int bits = ((RSAPublicKey) key).getModulus().bitLength();
        if (bits < 2048) throw Refusal.invalid("key-too-weak", "RSA key of " + bits + " bits is below the minimum of 2048");
        if (bits > 8192) throw Refusal.invalid("key-algorithm-refused", "RSA key of " + bits + " bits exceeds the maximum of 8192");
        return "RSA " + bits;
    }
}
