package dev.holdfast.server.http;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What a TLS listener presents and whom it trusts: its private key, its certificate chain, and the
 * roots that client certificates must chain to. The PKI's infrastructure CA is the source in the
 * product; tests pass certificates of their own.
 */
public interface ServerIdentity {
    /** The private key of {@code chain().get(0)}. */
    PrivateKey privateKey();

    /** The server certificate first, then its issuers (the root may be left out). Never empty. */
    List<X509Certificate> chain();

    /**
     * The roots that client certificates must chain to. Client certificates are optional at the TLS
     * layer; a client that offers one that does not chain to these roots is refused at the handshake.
     * May be empty: then only clients without a certificate get through.
     */
    List<X509Certificate> trustedClientRoots();

    /** A fixed identity. */
    static ServerIdentity of(PrivateKey privateKey, List<X509Certificate> chain, List<X509Certificate> trustedClientRoots) {
        return new Fixed(privateKey, chain, trustedClientRoots);
    }

    /** The value behind {@link #of}; validates and copies. */
    record Fixed(PrivateKey privateKey, List<X509Certificate> chain, List<X509Certificate> trustedClientRoots) implements ServerIdentity {
        public Fixed {
            if (privateKey == null) throw new IllegalArgumentException("privateKey: null (expected: the key of chain[0])");
            if (chain == null || chain.isEmpty()) throw new IllegalArgumentException("chain: empty (expected: the server certificate first)");
            chain = List.copyOf(chain);
            trustedClientRoots = trustedClientRoots == null ? List.of() : List.copyOf(trustedClientRoots);
        }

        @Override
        public String toString() {
            return "ServerIdentity[subject=" + chain.get(0).getSubjectX500Principal() + ", chain=" + chain.size()
                    + ", trustedClientRoots=" + trustedClientRoots.size() + "]";
        }
    }
}
