package dev.holdfast.events.export;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import java.util.function.UnaryOperator;

/**
 * The TLS client side of an exporter: a context with the destination's trusted roots (and a client
 * certificate when the collector asks for one), and the policy applied to every connection. The
 * server passes {@code dev.holdfast.pki.TlsPolicy::apply}, so exporters speak TLS 1.2+ with AEAD
 * suites only; the host name is always verified (RFC 6125).
 */
public record ExportTls(SSLContext context, UnaryOperator<SSLParameters> policy) {
    public ExportTls {
        if (context == null) throw new IllegalArgumentException("context: null (expected: a TLS client context)");
        if (policy == null) policy = UnaryOperator.identity();
    }

    /** Parameters for a connection to {@code host}: the policy, and host-name verification. */
    public SSLParameters parameters() {
        SSLParameters p = policy.apply(context.getDefaultSSLParameters());
        p.setEndpointIdentificationAlgorithm("HTTPS");
        return p;
    }
}
