package dev.holdfast.events.export;

import dev.holdfast.testing.TestCertificates;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.List;

/** A client TLS context trusting a test root, with the product's protocol floor (TLS 1.2+). */
final class ExportTestSupport {
    private ExportTestSupport() {
    }

    static ExportTls clientTls(TestCertificates.Root root) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("root", root.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), new SecureRandom());
        return new ExportTls(ctx, p -> {
            p.setProtocols(List.of("TLSv1.3", "TLSv1.2").toArray(String[]::new));
            return p;
        });
    }
}
