package dev.holdfast.server.provisioning;

import dev.holdfast.events.EventSink;
import dev.holdfast.pki.Pki;
import dev.holdfast.pki.TlsPolicy;
import dev.holdfast.provisioning.Provisioning;
import dev.holdfast.provisioning.tpm.TpmEkRoots;
import dev.holdfast.registry.Registry;
import dev.holdfast.server.config.HoldfastConfig;
import dev.holdfast.server.config.Settings;
import dev.holdfast.server.http.RouteModule;
import dev.holdfast.store.Database;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Provisioning as the server runs it: migrations, the service on the PKI's CA and the registry, DPS
 * over HTTPS and the admin API as route modules. The HTTPS listener must accept client certificates
 * of manufacturer CAs: {@link Provisioning#clientCertificateAnchors()} and
 * {@link Provisioning#onManufacturerCasChanged} feed its trust.
 */
public final class ProvisioningAssembly {
    private final Provisioning provisioning;

    private ProvisioningAssembly(Provisioning provisioning) {
        this.provisioning = provisioning;
    }

    public static ProvisioningAssembly open(HoldfastConfig config, Database db, Pki pki, Registry registry, EventSink events, Clock clock) {
        db.migrate("provisioning");
        Provisioning.Settings settings = new Provisioning.Settings(config.find(Settings.PROVISIONING_REGION).orElse(""),
                config.get(Settings.PROVISIONING_RATE_LIMIT_PER_DEVICE), config.get(Settings.PROVISIONING_RATE_LIMIT_PER_SOURCE),
                Duration.ofSeconds(60), config.get(Settings.PROVISIONING_RETRY_AFTER), webhookTls(config.get(Settings.PROVISIONING_WEBHOOK_TRUSTED_CAS)),
                config.find(Settings.PROVISIONING_TPM_EK_ROOTS_DIRECTORY).map(ProvisioningAssembly::ekRoots));
        return new ProvisioningAssembly(Provisioning.open(db, pki.ca(), registry.devices(), events, clock, settings));
    }

    private static TpmEkRoots ekRoots(Path dir) {
        try {
            return TpmEkRoots.load(dir);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("provisioning.tpm.ekRootsDirectory: " + e.getMessage(), e);
        }
    }

    private static SSLContext webhookTls(List<Path> files) {
        if (files.isEmpty()) return null;
        List<X509Certificate> roots = new ArrayList<>();
        for (Path f : files) {
            try (InputStream in = Files.newInputStream(f)) {
                for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) roots.add((X509Certificate) c);
            } catch (IOException e) {
                throw new UncheckedIOException("provisioning.webhook.trustedCas: cannot read " + f + ": " + e.getMessage(), e);
            } catch (CertificateException e) {
                throw new IllegalArgumentException("provisioning.webhook.trustedCas: " + f + " holds no PEM certificates", e);
            }
        }
        return TlsPolicy.clientContext(roots);
    }

    public Provisioning provisioning() {
        return provisioning;
    }

    public List<RouteModule> routes() {
        return List.of(new DpsRoutes(provisioning.registrations()), new ProvisioningRoutes(provisioning));
    }
}
