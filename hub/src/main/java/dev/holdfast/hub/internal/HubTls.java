package dev.holdfast.hub.internal;

import dev.holdfast.pki.TlsPolicy;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;

import javax.net.ssl.SSLException;
import javax.net.ssl.X509TrustManager;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;

/**
 * The hub's TLS: BoringSSL through netty-tcnative when it loads, else the JDK provider; the product
 * policy ({@link TlsPolicy}: TLS 1.3 and 1.2, AEAD suites only); a client certificate required.
 *
 * <p>The handshake checks only that the client's chain is correctly signed link by link (and TLS
 * itself proves possession of the leaf's key). Which CA it must chain to depends on who connects: a
 * device (the devices CA, checked at CONNECT by {@link DeviceAuthenticator}) or a provisioning client
 * (a manufacturer CA, judged by the provisioning gateway). Deciding at CONNECT also lets the hub
 * answer an expired or unknown certificate with a reason code and an event instead of a bare alert.
 */
public final class HubTls {
    private HubTls() {
    }

    /** True when BoringSSL (netty-tcnative) is usable on this machine. */
    public static boolean boringSslAvailable() {
        return OpenSsl.isAvailable();
    }

    public static SslContext serverContext(PrivateKey key, X509Certificate[] chain, boolean preferBoringSsl) {
        SslProvider provider = preferBoringSsl && OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        try {
            return SslContextBuilder.forServer(key, chain)
                    .sslProvider(provider)
                    .protocols(TlsPolicy.protocols())
                    .ciphers(Arrays.asList(TlsPolicy.cipherSuites()), SupportedCipherSuiteFilter.INSTANCE)
                    .clientAuth(ClientAuth.REQUIRE)
                    .trustManager(new SignedChainTrust())
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the hub's TLS context (" + provider + "): " + e.getMessage(), e);
        }
    }

    /** Accepts a client chain whose every certificate is signed by the next one; the rest is decided at CONNECT. */
    static final class SignedChainTrust implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (chain == null || chain.length == 0) throw new CertificateException("no client certificate");
            if (chain.length > 8) throw new CertificateException("client chain of " + chain.length + " certificates (at most 8)");
            try {
                for (int i = 0; i + 1 < chain.length; i++) {
                    if (!chain[i].getIssuerX500Principal().equals(chain[i + 1].getSubjectX500Principal())) {
                        throw new CertificateException("client chain is out of order at certificate " + i);
                    }
                    chain[i].verify(chain[i + 1].getPublicKey());
                }
                X509Certificate last = chain[chain.length - 1];
                if (last.getIssuerX500Principal().equals(last.getSubjectX500Principal())) last.verify(last.getPublicKey());
            } catch (GeneralSecurityException e) {
                throw new CertificateException("client certificate chain signature does not verify: " + e.getMessage(), e);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("the hub judges clients only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
