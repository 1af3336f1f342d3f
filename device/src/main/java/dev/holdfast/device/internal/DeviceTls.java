package dev.holdfast.device.internal;

import dev.holdfast.device.DeviceIdentity;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Holdfast's TLS policy on the device side. The lists are those of {@code dev.holdfast.pki.TlsPolicy}
 * (RFC 9325: TLS 1.3 and 1.2, ECDHE with AEAD only, no SHA-1 signatures), copied because the SDK must
 * not pull the server's PKI module (and its database) onto a device; a server test checks that the
 * two stay equal.
 */
public final class DeviceTls {
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    public static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    public static final List<String> NAMED_GROUPS = List.of("X25519MLKEM768", "x25519", "secp256r1", "secp384r1");
    public static final List<String> SIGNATURE_SCHEMES = List.of(
            "ecdsa_secp256r1_sha256", "ecdsa_secp384r1_sha384", "ecdsa_secp521r1_sha512", "ed25519", "ed448",
            "rsa_pss_rsae_sha256", "rsa_pss_rsae_sha384", "rsa_pss_rsae_sha512",
            "rsa_pss_pss_sha256", "rsa_pss_pss_sha384", "rsa_pss_pss_sha512",
            "rsa_pkcs1_sha256", "rsa_pkcs1_sha384", "rsa_pkcs1_sha512");

    private DeviceTls() {
    }

    public static SSLContext clientContext(DeviceIdentity identity, List<X509Certificate> trustAnchors) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(identity == null ? null : new javax.net.ssl.KeyManager[]{new IdentityKeyManager(identity)},
                    trustManagers(trustAnchors), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a TLS client context: " + e.getMessage(), e);
        }
    }

    private static javax.net.ssl.TrustManager[] trustManagers(List<X509Certificate> anchors) throws GeneralSecurityException {
        if (anchors == null || anchors.isEmpty()) throw new IllegalArgumentException("trustAnchors: empty (expected: the server's trust bundle)");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try {
            ks.load(null, null);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        int i = 0;
        for (X509Certificate c : anchors) ks.setCertificateEntry("anchor-" + i++, c);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        return tmf.getTrustManagers();
    }

    /** The policy plus host name verification (the server's DNS or IP SAN must match). */
    public static SSLParameters parameters(SSLParameters p) {
        p.setProtocols(PROTOCOLS.toArray(String[]::new));
        p.setCipherSuites(CIPHER_SUITES.toArray(String[]::new));
        p.setNamedGroups(NAMED_GROUPS.toArray(String[]::new));
        p.setSignatureSchemes(SIGNATURE_SCHEMES.toArray(String[]::new));
        p.setEndpointIdentificationAlgorithm("HTTPS");
        return p;
    }

    public static SSLEngine clientEngine(SSLContext ctx, String host, int port) {
        SSLEngine engine = ctx.createSSLEngine(host, port);
        engine.setUseClientMode(true);
        engine.setSSLParameters(parameters(engine.getSSLParameters()));
        return engine;
    }

    /** Presents exactly one identity, whatever the server asks for; the server decides whether it trusts it. */
    private static final class IdentityKeyManager extends X509ExtendedKeyManager {
        private static final String ALIAS = "device";
        private final DeviceIdentity identity;

        IdentityKeyManager(DeviceIdentity identity) {
            this.identity = identity;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[]{ALIAS};
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return ALIAS;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return ALIAS;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return identity.chain().toArray(X509Certificate[]::new);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return identity.key().privateKey();
        }
    }
}
