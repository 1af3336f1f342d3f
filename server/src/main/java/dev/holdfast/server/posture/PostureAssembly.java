package dev.holdfast.server.posture;

import dev.holdfast.events.EventSink;
import dev.holdfast.pki.CertificateFilter;
import dev.holdfast.pki.IssuedCertificate;
import dev.holdfast.pki.Pki;
import dev.holdfast.posture.DeviceCredential;
import dev.holdfast.posture.Posture;
import dev.holdfast.posture.PostureSettings;
import dev.holdfast.posture.baseline.RulePack;
import dev.holdfast.registry.Device;
import dev.holdfast.registry.Registry;
import dev.holdfast.server.config.HoldfastConfig;
import dev.holdfast.server.config.Settings;
import dev.holdfast.store.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Posture as the server runs it: migrations, the default rule pack, device certificates from the PKI
 * (revocations re-evaluate the device), the schedule, and uploads staged under {@code DIR/posture/uploads/}.
 */
public final class PostureAssembly implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PostureAssembly.class);

    private final Posture posture;
    private final Pki pki;
    private final Path uploads;

    private PostureAssembly(Posture posture, Pki pki, Path uploads) {
        this.posture = posture;
        this.pki = pki;
        this.uploads = uploads;
    }

    public static PostureAssembly open(HoldfastConfig config, Database db, EventSink events, Registry registry, Pki pki, Path dataDir, Clock clock) {
        db.migrate("posture");
        PostureSettings settings = new PostureSettings(config.get(Settings.PKI_EXPIRY_WARNING_WINDOW), PostureSettings.DEFAULTS.maxCertificateAge(),
                config.get(Settings.POSTURE_END_OF_SUPPORT_WARNING), 2048, 256, false);
        Posture posture = Posture.open(db, registry, events, clock, settings, RulePack.defaultPack(), d -> credentials(pki, d));
        pki.ca().addRevocationListener(c -> c.deviceId().ifPresent(posture::certificateChanged));
        posture.start(config.get(Settings.POSTURE_EVALUATION_INTERVAL));
        return new PostureAssembly(posture, pki, dataDir.resolve("posture").resolve("uploads"));
    }

    /** The certificates the PKI issued to the device, with their revocation. */
    static List<DeviceCredential> credentials(Pki pki, Device d) {
        List<DeviceCredential> out = new ArrayList<>();
        try {
            for (IssuedCertificate c : pki.ca().search(CertificateFilter.byDevice(d.id().value()))) {
                X509Certificate x = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(c.der().toArray()));
                out.add(DeviceCredential.of(x, c.revokedAt(), "pki"));
            }
        } catch (Exception e) {
            log.warn("certificates of device {} could not be read from the PKI: {}", d.id().value(), e.getMessage());
        }
        return out;
    }

    public Posture posture() {
        return posture;
    }

    public PostureRoutes routes() {
        return new PostureRoutes(posture, uploads, () -> {
            List<X509Certificate> cas = new ArrayList<>();
            for (var info : pki.ca().authorities()) info.certificate().ifPresent(cas::add);
            return cas;
        });
    }

    @Override
    public void close() {
        posture.close();
    }
}
