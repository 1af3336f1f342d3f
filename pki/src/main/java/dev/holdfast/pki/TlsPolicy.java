package dev.holdfast.pki;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;

/**
 * The one TLS policy of every Holdfast listener and client: the HTTPS API, the MQTT hub, EST,
 * gateways and the admin CLI all take their protocol versions, cipher suites, key-exchange groups and
 * signature schemes from here, so a change to the policy is a change in one place.
 *
 * <p>It follows the recommendations of RFC 9325 (BCP 195, "Recommendations for Secure Use of TLS and
 * DTLS"), applied strictly because Holdfast talks only to its own devices and operators, not to the
 * open web:
 * <ul>
 *   <li><b>Versions</b> (§3.1.1): TLS 1.3 and TLS 1.2 only; SSL, TLS 1.0 and TLS 1.1 are refused at
 *       the handshake (RFC 8996 deprecates them).</li>
 *   <li><b>Cipher suites</b> (§4.1, §4.2): authenticated encryption (AEAD) with forward secrecy only.
 *       For TLS 1.2 that is ECDHE key exchange with the AES-GCM suites §4.2 recommends, plus
 *       ChaCha20-Poly1305 (RFC 7905) for devices without AES instructions. Left out: CBC suites (the
 *       MAC-then-encrypt construction behind Lucky13 and the padding-oracle attacks), RSA key transport
 *       and finite-field DHE (both "SHOULD NOT" in §4.1), and NULL, export, RC4, 3DES and anonymous
 *       suites ("MUST NOT"). TLS 1.3 defines only AEAD suites; its three common ones are enabled.
 *       AES-128-GCM comes first: ample strength, and the cheapest on small devices.</li>
 *   <li><b>Key-exchange groups</b> (§4.2.1 asks for x25519 and secp256r1): X25519, P-256 and P-384,
 *       after the hybrid post-quantum group X25519MLKEM768 on JDKs that implement it (ignored where
 *       not). No finite-field groups, which TLS 1.3 would otherwise still offer.</li>
 *   <li><b>Signature schemes</b>: ECDSA, EdDSA and RSA (PSS and PKCS#1 v1.5) with SHA-256 or
 *       stronger; SHA-1 and MD5 signatures are not offered or accepted (RFC 9155).</li>
 *   <li><b>Renegotiation</b> (§3.5) is the listener's business: the HTTPS server and the hub turn it
 *       off; TLS 1.3 has none.</li>
 * </ul>
 *
 * <p>An {@link SSLContext} carries keys and trust, not this policy: apply the policy to every engine
 * or socket made from a context, with {@link #apply(SSLParameters)} or by handing
 * {@link #protocols()} and {@link #cipherSuites()} to the server framework (Jetty, Netty) as include
 * lists with everything else excluded.
 */
public final class TlsPolicy {
    private static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private static final List<String> CIPHER_SUITES = List.of(
            // TLS 1.3 (RFC 8446 §B.4)
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            // TLS 1.2: ECDHE + AEAD (RFC 5289, RFC 7905), ECDSA before RSA because our PKI issues P-256 keys
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private static final List<String> NAMED_GROUPS = List.of(
            "X25519MLKEM768", // hybrid post-quantum key exchange; ignored by JDKs that do not implement it
            "x25519",
            "secp256r1",
            "secp384r1");

    private static final List<String> SIGNATURE_SCHEMES = List.of(
            "ecdsa_secp256r1_sha256",
            "ecdsa_secp384r1_sha384",
            "ecdsa_secp521r1_sha512",
            "ed25519",
            "ed448",
            "rsa_pss_rsae_sha256",
            "rsa_pss_rsae_sha384",
            "rsa_pss_rsae_sha512",
            "rsa_pss_pss_sha256",
            "rsa_pss_pss_sha384",
            "rsa_pss_pss_sha512",
            "rsa_pkcs1_sha256",
            "rsa_pkcs1_sha384",
            "rsa_pkcs1_sha512");

    private TlsPolicy() {
    }

    /** The enabled protocol versions in JSSE names, newest first: {@code TLSv1.3}, {@code TLSv1.2}. */
    public static String[] protocols() {
        return PROTOCOLS.toArray(String[]::new);
    }

    /** The enabled cipher suites in JSSE (IANA) names, in order of preference; all are AEAD. */
    public static String[] cipherSuites() {
        return CIPHER_SUITES.toArray(String[]::new);
    }

    /** The key-exchange groups in JSSE names, in order of preference. */
    public static String[] namedGroups() {
        return NAMED_GROUPS.toArray(String[]::new);
    }

    /** The signature schemes in JSSE (IANA) names; none uses SHA-1 or MD5. */
    public static String[] signatureSchemes() {
        return SIGNATURE_SCHEMES.toArray(String[]::new);
    }

    /**
     * Applies the policy to {@code params} and returns it: protocols, cipher suites (in the server's
     * order of preference), named groups and signature schemes. Other settings (client
     * authentication, SNI, endpoint identification) are left as they are. JSSE ignores the names it
     * does not implement, so the same policy works across JDK versions.
     */
    public static SSLParameters apply(SSLParameters params) {
        params.setProtocols(protocols());
        params.setCipherSuites(cipherSuites());
        params.setUseCipherSuitesOrder(true);
        params.setNamedGroups(namedGroups());
        params.setSignatureSchemes(signatureSchemes());
        return params;
    }

    /**
     * Builds a JSSE context that presents {@code key} with {@code chain} and accepts peer certificates
     * that chain to one of {@code trustedRoots}. The policy itself is not part of a context: apply it to
     * each engine or socket (see the class documentation).
     *
     * @param key          the private key of the leaf certificate; null for a client without a certificate
     * @param chain        the leaf certificate first, then its issuers up to (optionally including) the
     *                     root; empty when {@code key} is null
     * @param trustedRoots the certificates whose holders' peers are trusted: for a server the roots of
     *                     client certificates (may be empty: then any client certificate offered is
     *                     refused and clients without one are accepted); for a client the server's roots
     * @throws IllegalArgumentException when a key comes without a chain or a chain without a key
     * @throws IllegalStateException    when the JDK lacks a standard algorithm (not expected on JDK 21+)
     */
    public static SSLContext sslContext(PrivateKey key, X509Certificate[] chain, Collection<X509Certificate> trustedRoots) {
        if (chain == null) chain = new X509Certificate[0];
        if (key == null && chain.length > 0) throw new IllegalArgumentException("key: null (expected: the private key of chain[0])");
        if (key != null && chain.length == 0) throw new IllegalArgumentException("chain: empty (expected: the leaf certificate of the key first)");
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            int i = 0;
            for (X509Certificate root : trustedRoots == null ? List.<X509Certificate>of() : trustedRoots) {
                trust.setCertificateEntry("root-" + i++, root);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(trust);

            SSLContext context = SSLContext.getInstance("TLS");
            context.init(key == null ? null : new KeyManager[]{new FixedKeyManager(key, chain)}, tmf.getTrustManagers(), new SecureRandom());
            return context;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot build a TLS context: " + e.getMessage(), e);
        }
    }

    /**
     * Like {@link #sslContext} for a server, except that a client certificate is accepted at the
     * handshake when its chain is correctly signed up to one of {@code clientAnchors}, whatever its
     * validity period: expiry and revocation are then the application's to check, so that a device
     * with an expired or revoked certificate gets an explained refusal (RFC 9457) instead of a bare
     * TLS alert. Anchors may be intermediate CAs, so a client may send its leaf alone.
     */
    public static SSLContext serverContextDeferringClientValidity(PrivateKey key, X509Certificate[] chain,
                                                                  Collection<X509Certificate> clientAnchors) {
        if (key == null || chain == null || chain.length == 0) {
            throw new IllegalArgumentException("key and chain: required (expected: the server's key and its certificate first)");
        }
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[]{new FixedKeyManager(key, chain)},
                    new javax.net.ssl.TrustManager[]{new SignatureOnlyClientTrust(clientAnchors)}, new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a TLS context: " + e.getMessage(), e);
        }
    }

    /**
     * Offers one key and chain, held as they are. The JDK's "PKIX" key manager would be handed the key
     * through a PKCS#12 key store and read it back from the store at every handshake, which for
     * PKCS#12 means a PBKDF2 derivation and a decryption per handshake: about two thirds of a
     * handshake's CPU on the server in the OCSP load runs (docs/PERFORMANCE.md).
     */
    private static final class FixedKeyManager extends javax.net.ssl.X509ExtendedKeyManager {
        private static final String ALIAS = "holdfast";
        private final PrivateKey key;
        private final X509Certificate[] chain;

        FixedKeyManager(PrivateKey key, X509Certificate[] chain) {
            this.key = key;
            this.chain = chain.clone();
        }

        /** Whether the key can serve a handshake asking for {@code keyType} ("EC", "RSA", "RSASSA-PSS", "EdDSA" ...). */
        private boolean fits(String keyType) {
            if (keyType == null) return true;
            String algorithm = key.getAlgorithm();
            if (keyType.equalsIgnoreCase(algorithm)) return true;
            if (algorithm.equals("RSA") && keyType.equals("RSASSA-PSS")) return true;
            if ((algorithm.equals("EdDSA") || algorithm.equals("Ed25519")) && (keyType.equals("EdDSA") || keyType.equals("Ed25519"))) return true;
            return keyType.startsWith(algorithm + "_"); // TLS 1.2 names such as EC_EC
        }

        private String aliasFor(String[] keyTypes) {
            if (keyTypes == null) return ALIAS;
            for (String t : keyTypes) if (fits(t)) return ALIAS;
            return null;
        }

        @Override public String[] getClientAliases(String keyType, java.security.Principal[] issuers) { return fits(keyType) ? new String[]{ALIAS} : null; }
        @Override public String[] getServerAliases(String keyType, java.security.Principal[] issuers) { return fits(keyType) ? new String[]{ALIAS} : null; }
        @Override public String chooseClientAlias(String[] keyTypes, java.security.Principal[] issuers, java.net.Socket socket) { return aliasFor(keyTypes); }
        @Override public String chooseServerAlias(String keyType, java.security.Principal[] issuers, java.net.Socket socket) { return fits(keyType) ? ALIAS : null; }
        @Override public String chooseEngineClientAlias(String[] keyTypes, java.security.Principal[] issuers, javax.net.ssl.SSLEngine engine) { return aliasFor(keyTypes); }
        @Override public String chooseEngineServerAlias(String keyType, java.security.Principal[] issuers, javax.net.ssl.SSLEngine engine) { return fits(keyType) ? ALIAS : null; }
        @Override public X509Certificate[] getCertificateChain(String alias) { return ALIAS.equals(alias) ? chain.clone() : null; }
        @Override public PrivateKey getPrivateKey(String alias) { return ALIAS.equals(alias) ? key : null; }
    }

    /** Accepts client chains whose signatures lead to a trusted anchor; leaves validity to the application. */
    private static final class SignatureOnlyClientTrust implements javax.net.ssl.X509TrustManager {
        private final java.util.Set<java.security.cert.TrustAnchor> anchors;
        private final X509Certificate[] issuers;

        SignatureOnlyClientTrust(Collection<X509Certificate> anchors) {
            this.anchors = anchors.stream().map(c -> new java.security.cert.TrustAnchor(c, null)).collect(java.util.stream.Collectors.toUnmodifiableSet());
            this.issuers = anchors.toArray(X509Certificate[]::new);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
            if (chain == null || chain.length == 0) throw new java.security.cert.CertificateException("empty client certificate chain");
            if (anchors.isEmpty()) throw new java.security.cert.CertificateException("no client certificate is trusted on this listener");
            try {
                List<X509Certificate> path = new java.util.ArrayList<>();
                for (X509Certificate c : chain) {
                    if (anchors.stream().anyMatch(a -> a.getTrustedCert().equals(c))) break;
                    path.add(c);
                }
                var certPath = java.security.cert.CertificateFactory.getInstance("X.509").generateCertPath(path);
                var params = new java.security.cert.PKIXParameters(anchors);
                params.setRevocationEnabled(false);
                // Validate as of the leaf's start: signatures and constraints are checked, expiry is not.
                params.setDate(new java.util.Date(chain[0].getNotBefore().getTime() + 1000));
                java.security.cert.CertPathValidator.getInstance("PKIX").validate(certPath, params);
            } catch (GeneralSecurityException e) {
                throw new java.security.cert.CertificateException("client certificate does not chain to a trusted CA: " + e.getMessage(), e);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("this trust manager only judges clients");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return issuers.clone();
        }
    }

    /** A client context without a certificate of its own that trusts servers chaining to {@code trustedRoots}. */
    public static SSLContext clientContext(Collection<X509Certificate> trustedRoots) {
        if (trustedRoots == null || trustedRoots.isEmpty()) {
            throw new IllegalArgumentException("trustedRoots: empty (expected: at least one certificate to trust)");
        }
        return sslContext(null, new X509Certificate[0], trustedRoots);
    }
}
