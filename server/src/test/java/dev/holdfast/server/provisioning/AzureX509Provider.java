package dev.holdfast.server.provisioning;

import com.microsoft.azure.sdk.iot.provisioning.security.hsm.SecurityProviderX509Cert;
import dev.holdfast.pki.TlsPolicy;
import dev.holdfast.testing.TestManufacturerCa;

import javax.net.ssl.SSLContext;
import java.security.cert.X509Certificate;
import java.util.List;

/** The Azure SDK's X.509 provider, with Holdfast's trust bundle instead of the Azure roots (PROTOCOLS.md). */
final class AzureX509Provider extends SecurityProviderX509Cert {
    private final SSLContext context;

    AzureX509Provider(TestManufacturerCa.Device d, List<X509Certificate> trust) {
        super(d.leaf(), d.keys().getPrivate(), d.chain().subList(1, d.chain().size()));
        this.context = TlsPolicy.sslContext(d.keys().getPrivate(), d.chain().toArray(X509Certificate[]::new), trust);
    }

    @Override
    public SSLContext getSSLContext() {
        return context;
    }
}
