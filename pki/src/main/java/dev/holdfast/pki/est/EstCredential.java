package dev.holdfast.pki.est;

import java.security.cert.X509Certificate;
import java.util.List;

/** How an EST client proved who it is (RFC 7030 §3.2.3 and §3.3.2). */
public sealed interface EstCredential {
    /** A one-time bootstrap token sent as HTTP Basic password or Bearer token. */
    record BootstrapToken(String token) implements EstCredential {
        @Override
        public String toString() {
            return "BootstrapToken[****]";
        }
    }

    /** The certificate chain the client presented in the TLS handshake, leaf first. */
    record ClientCertificate(List<X509Certificate> chain) implements EstCredential {
        public ClientCertificate {
            chain = List.copyOf(chain);
            if (chain.isEmpty()) throw new IllegalArgumentException("chain: empty (expected: leaf first)");
        }

        public X509Certificate leaf() {
            return chain.get(0);
        }
    }

    /** Nothing presented. */
    record None() implements EstCredential {
    }
}
