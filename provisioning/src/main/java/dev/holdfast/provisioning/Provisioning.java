package dev.holdfast.provisioning;

import dev.holdfast.events.EventClass;
import dev.holdfast.events.EventSink;
import dev.holdfast.events.SecurityEvent;
import dev.holdfast.events.Severity;
import dev.holdfast.pki.Bytes;
import dev.holdfast.pki.CertificateAuthority;
import dev.holdfast.pki.CertificateFilter;
import dev.holdfast.pki.IssuedCertificate;
import dev.holdfast.pki.RevocationReason;
import dev.holdfast.provisioning.internal.Allocator;
import dev.holdfast.provisioning.internal.DefaultRegistrationService;
import dev.holdfast.provisioning.internal.JdbcProvisioningStore;
import dev.holdfast.provisioning.internal.RateLimits;
import dev.holdfast.provisioning.internal.X509Attestor;
import dev.holdfast.provisioning.tpm.TpmAttestation;
import dev.holdfast.provisioning.tpm.TpmEkRoots;
import dev.holdfast.registry.Device;
import dev.holdfast.registry.DeviceId;
import dev.holdfast.registry.DeviceRegistry;
import dev.holdfast.registry.DeviceStatus;
import dev.holdfast.registry.DeviceUpdate;
import dev.holdfast.registry.LifecycleState;
import dev.holdfast.registry.Precondition;
import dev.holdfast.store.Database;

import javax.net.ssl.SSLContext;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Zero-touch provisioning as the server runs it: the id scope, linked hubs, manufacturer CAs with
 * proof of possession, enrollments, the registration service both DPS transports call, and
 * deprovisioning. The store must have run the {@code provisioning} migrations.
 *
 * <p>Every change here is a security event ({@code provisioning.*}); refusals throw
 * {@link ProvisioningRefusedException}.
 */
public final class Provisioning {
    private final JdbcProvisioningStore store;
    private final CertificateAuthority ca;
    private final DeviceRegistry devices;
    private final EventSink events;
    private final Clock clock;
    private final Allocator allocator;
    private final String idScope;
    private final DefaultRegistrationService registrations;
    private final List<Runnable> caListeners = new CopyOnWriteArrayList<>();

    /** Settings of the provisioning service; see each field. */
    /**
     * @param tpmEkRoots the TPM manufacturer roots EK certificates must chain to; empty refuses EK certificates, and
     *                   TPM devices then attest with the EK public key their individual enrollment names
     */
    public record Settings(String region, int perDeviceRegistrationsPerMinute, int perSourceRegistrationsPerMinute,
                           Duration operationFreshness, int retryAfterSeconds, SSLContext webhookTls, Optional<TpmEkRoots> tpmEkRoots) {
        /** How long a TPM device has to answer its credential challenge. */
        public static final Duration TPM_CHALLENGE_VALIDITY = Duration.ofMinutes(5);

        public Settings {
            tpmEkRoots = tpmEkRoots == null ? Optional.empty() : tpmEkRoots;
        }

        /** Without TPM manufacturer roots. */
        public Settings(String region, int perDeviceRegistrationsPerMinute, int perSourceRegistrationsPerMinute,
                        Duration operationFreshness, int retryAfterSeconds, SSLContext webhookTls) {
            this(region, perDeviceRegistrationsPerMinute, perSourceRegistrationsPerMinute, operationFreshness, retryAfterSeconds, webhookTls, Optional.empty());
        }

        /** No region, 10 per device and 6,000 per source per minute, operations fresh for 60 s, retry after 2 s, JDK trust for webhooks. */
        public static Settings defaults() {
            return new Settings("", 10, 6000, Duration.ofSeconds(60), 2, null);
        }
    }

    private Provisioning(Database db, CertificateAuthority ca, DeviceRegistry devices, EventSink events, Clock clock, Settings settings) {
        this.store = new JdbcProvisioningStore(db);
        this.ca = ca;
        this.devices = devices;
        this.events = events;
        this.clock = clock;
        this.allocator = new Allocator(settings.region(), settings.webhookTls());
        this.idScope = store.idScope(clock.instant());
        this.registrations = new DefaultRegistrationService(store, idScope, ca, devices, events, clock, allocator,
                new RateLimits(clock, settings.perDeviceRegistrationsPerMinute(), settings.perSourceRegistrationsPerMinute()),
                settings.operationFreshness(), settings.retryAfterSeconds(),
                new TpmAttestation(settings.tpmEkRoots(), clock, Settings.TPM_CHALLENGE_VALIDITY, new SecureRandom()));
    }

    public static Provisioning open(Database db, CertificateAuthority ca, DeviceRegistry devices, EventSink events, Clock clock, Settings settings) {
        return new Provisioning(db, ca, devices, events, clock, settings);
    }

    /** The id scope devices put in their requests; made on first start, stable afterwards. */
    public String idScope() {
        return idScope;
    }

    public RegistrationService registrations() {
        return registrations;
    }

    /** EST's view of the enrollments (install with {@code EstService.setEnrollmentAuthorizer}). */
    public dev.holdfast.pki.spi.EnrollmentAuthorizer estAuthorizer() {
        return registrations::authorizeEst;
    }

    // ---- linked hubs

    public LinkedHub linkHub(LinkedHub hub, String actor) {
        store.putHub(hub, clock.instant());
        emit(EventClass.DEVICE_CONFIG_STATE_CHANGE, "provisioning.hub.linked", actor, "hub '" + hub.name() + "' (" + hub.hostName()
                + ", weight " + hub.weight() + ", region '" + hub.region() + "', " + (hub.enabled() ? "enabled" : "disabled") + ") linked");
        return hub;
    }

    public void unlinkHub(String name, String actor) {
        if (!store.deleteHub(name)) throw ProvisioningRefusal.notFound("hub-not-found", "no linked hub named '" + Ids.excerpt(name) + "'").exception();
        emit(EventClass.DEVICE_CONFIG_STATE_CHANGE, "provisioning.hub.unlinked", actor, "hub '" + name + "' unlinked");
    }

    public List<LinkedHub> hubs() {
        return store.hubs();
    }

    // ---- manufacturer CAs

    /**
     * Uploads a manufacturer CA certificate (unverified) with an optional CRL; returns it with the
     * verification code the operator must put in the CN of a certificate signed by the CA's key.
     */
    public ManufacturerCa uploadManufacturerCa(String name, byte[] certificateDer, Optional<byte[]> crlDer, String actor) {
        X509Certificate cert = parseCertificate(certificateDer);
        if (cert.getBasicConstraints() < 0) {
            throw ProvisioningRefusal.invalidRequest("certificate: '" + cert.getSubjectX500Principal().getName() + "' is not a CA (basicConstraints cA is false)").exception();
        }
        crlDer.ifPresent(c -> verifyCrl(c, cert, name));
        byte[] code = new byte[16];
        new SecureRandom().nextBytes(code);
        ManufacturerCa ca = new ManufacturerCa(name, Bytes.copyOf(certificateDer), X509Attestor.thumbprint(cert), cert.getSubjectX500Principal().getName(),
                false, HexFormat.of().withUpperCase().formatHex(code), crlDer.map(Bytes::copyOf), clock.instant(), Optional.empty());
        store.insertCa(ca);
        emit(EventClass.ENTITY_MANAGEMENT, "provisioning.ca.uploaded", actor, "manufacturer CA '" + name + "' (" + ca.subject() + ", SHA-256 "
                + ca.sha256() + ") uploaded; proof of possession pending");
        caListeners.forEach(Runnable::run);
        return ca;
    }

    /**
     * Verifies a manufacturer CA: {@code proofDer} must be a certificate whose CN is the CA's
     * verification code and whose signature verifies with the CA's public key.
     */
    public ManufacturerCa verifyManufacturerCa(String name, byte[] proofDer, String actor) {
        ManufacturerCa ca = manufacturerCa(name);
        if (ca.verified()) return ca;
        X509Certificate proof = parseCertificate(proofDer);
        X509Certificate caCert = X509Attestor.certificate(ca.certificateDer().toArray());
        String cn = X509Attestor.commonName(proof);
        try {
            proof.verify(caCert.getPublicKey());
        } catch (GeneralSecurityException e) {
            emitRefusal("provisioning.ca.verification.refused", actor, "proof for manufacturer CA '" + name + "' is not signed by its key");
            throw ProvisioningRefusal.invalidRequest("the proof certificate is not signed by manufacturer CA '" + name + "''s key").exception(e);
        }
        if (!cn.equals(ca.verificationCode())) {
            emitRefusal("provisioning.ca.verification.refused", actor, "proof for manufacturer CA '" + name + "' has the wrong CN");
            throw ProvisioningRefusal.invalidRequest("the proof certificate's CN '" + Ids.excerpt(cn) + "' is not the verification code of manufacturer CA '"
                    + name + "'").exception();
        }
        store.markVerified(name, clock.instant());
        emit(EventClass.ENTITY_MANAGEMENT, "provisioning.ca.verified", actor, "manufacturer CA '" + name + "' verified (proof of possession)");
        caListeners.forEach(Runnable::run);
        return manufacturerCa(name);
    }

    /** Sets or clears the CRL of a manufacturer CA. */
    public ManufacturerCa setManufacturerCrl(String name, Optional<byte[]> crlDer, String actor) {
        ManufacturerCa ca = manufacturerCa(name);
        crlDer.ifPresent(c -> verifyCrl(c, X509Attestor.certificate(ca.certificateDer().toArray()), name));
        store.setCrl(name, crlDer.map(Bytes::copyOf));
        emit(EventClass.ENTITY_MANAGEMENT, "provisioning.ca.crl.updated", actor, "manufacturer CA '" + name + "' CRL " + (crlDer.isPresent() ? "set" : "cleared"));
        return manufacturerCa(name);
    }

    public void deleteManufacturerCa(String name, String actor) {
        if (store.countGroupsOfCa(name) > 0) {
            throw ProvisioningRefusal.conflict("ca-in-use", "manufacturer CA '" + name + "' anchors enrollment groups; delete them first").exception();
        }
        if (!store.deleteCa(name)) throw ProvisioningRefusal.notFound("ca-not-found", "no manufacturer CA named '" + Ids.excerpt(name) + "'").exception();
        emit(EventClass.ENTITY_MANAGEMENT, "provisioning.ca.deleted", actor, "manufacturer CA '" + name + "' deleted");
        caListeners.forEach(Runnable::run);
    }

    public ManufacturerCa manufacturerCa(String name) {
        return store.ca(name).orElseThrow(() -> ProvisioningRefusal.notFound("ca-not-found", "no manufacturer CA named '" + Ids.excerpt(name) + "'").exception());
    }

    public List<ManufacturerCa> manufacturerCas() {
        return store.cas();
    }

    /**
     * The manufacturer CA certificates a TLS listener must accept client certificates from (uploaded
     * ones too, so that an IDevID of an unverified CA gets an explained refusal, not a TLS alert).
     */
    public List<X509Certificate> clientCertificateAnchors() {
        List<X509Certificate> out = new ArrayList<>();
        for (ManufacturerCa c : store.cas()) out.add(X509Attestor.certificate(c.certificateDer().toArray()));
        return out;
    }

    /** Runs {@code listener} after a manufacturer CA is uploaded, verified or deleted (to refresh TLS trust). */
    public void onManufacturerCasChanged(Runnable listener) {
        caListeners.add(listener);
    }

    // ---- enrollments

    public Enrollment.Group createGroup(Enrollment.Group group, String actor) {
        ManufacturerCa ca = manufacturerCa(group.attestation().caName());
        if (!ca.verified()) {
            throw ProvisioningRefusal.invalidRequest("manufacturer CA '" + ca.name() + "' is not verified; only verified CAs anchor enrollment groups").exception();
        }
        checkSettings(group.settings());
        store.insertEnrollment(group);
        emit(EventClass.ENTITY_MANAGEMENT, "provisioning.enrollment.created", actor, "enrollment group '" + group.id() + "' on manufacturer CA '" + ca.name() + "' created");
        return (Enrollment.Group) enrollment("group", group.id());
    }

    public Enrollment.Individual createIndividual(Enrollment.Individual e, String actor) {
        checkSettings(e.settings());
        store.insertEnrollment(e);
        emit(EventClass.ENTITY_MANAGEMENT, "provisioning.enrollment.created", actor, "individual enrollment '" + e.registrationId() + "' ("
                + e.attestation().type() + ") created");
        return (Enrollment.Individual) enrollment("individual", e.registrationId());
    }

    private void checkSettings(EnrollmentSettings s) {
        allocator.validate(s.allocation());
        List<String> known = store.hubs().stream().map(LinkedHub::name).toList();
        for (String h : s.linkedHubs()) {
            if (!known.contains(h)) throw ProvisioningRefusal.invalidRequest("linkedHubs: '" + Ids.excerpt(h) + "' is not a linked hub").exception();
        }
        if (s.allocation() instanceof AllocationPolicy.Static st && !known.contains(st.hub())) {
            throw ProvisioningRefusal.invalidRequest("allocation.hub: '" + Ids.excerpt(st.hub()) + "' is not a linked hub").exception();
        }
    }

    /** @param kind {@code group} or {@code individual} */
    public Enrollment enrollment(String kind, String id) {
        return store.enrollment(kind(kind), id).orElseThrow(() -> ProvisioningRefusal.notFound("enrollment-not-found",
                "no " + kind + " enrollment '" + Ids.excerpt(id) + "'").exception());
    }

    public List<Enrollment> enrollments(String kind) {
        return store.enrollments(kind(kind));
    }

    /** Enables or disables; a disabled enrollment refuses the next registration (no cache in between). */
    public Enrollment setEnabled(String kind, String id, boolean enabled, String actor) {
        Enrollment e = enrollment(kind, id);
        store.updateSettings(kind(kind), id, e.settings().withEnabled(enabled), clock.instant());
        emit(EventClass.ENTITY_MANAGEMENT, enabled ? "provisioning.enrollment.enabled" : "provisioning.enrollment.disabled", actor,
                "enrollment " + e.reference() + (enabled ? " enabled" : " disabled"));
        return enrollment(kind, id);
    }

    public void deleteEnrollment(String kind, String id, String actor) {
        Enrollment e = enrollment(kind, id);
        store.deleteEnrollment(kind(kind), id);
        emit(EventClass.ENTITY_MANAGEMENT, "provisioning.enrollment.deleted", actor, "enrollment " + e.reference() + " deleted");
    }

    private static String kind(String kind) {
        if (!"group".equals(kind) && !"individual".equals(kind)) {
            throw ProvisioningRefusal.invalidRequest("kind: '" + Ids.excerpt(kind) + "' (expected: group or individual)").exception();
        }
        return kind;
    }

    /** The current registration of a registration id. */
    public Optional<RegistrationState> registration(String registrationId) {
        return store.registration(registrationId);
    }

    // ---- decommissioning

    /** What deprovisioning did. */
    public record Deprovisioned(String deviceId, List<String> revokedSerials, String reason) {
    }

    /**
     * Retires a device: revokes every unrevoked certificate issued to it (cessationOfOperation), moves it
     * to decommissioned (disabled, with the reason) and marks its registrations disabled; a later
     * registration of it is refused.
     */
    public Deprovisioned deprovision(String deviceId, String reason, String actor) {
        if (reason == null || reason.isBlank() || reason.length() > 512) {
            throw ProvisioningRefusal.invalidRequest("reason: 1..512 characters expected (recorded on the device and in the event)").exception();
        }
        DeviceId id = new DeviceId(deviceId);
        Device d = devices.find(id).orElseThrow(() -> ProvisioningRefusal.notFound("device-not-found", "device '" + Ids.excerpt(deviceId) + "' does not exist").exception());
        List<String> revoked = new ArrayList<>();
        for (IssuedCertificate c : ca.search(CertificateFilter.byDevice(deviceId))) {
            if (!c.isRevoked()) {
                ca.revoke(c.serialHex(), RevocationReason.CESSATION_OF_OPERATION, actor);
                revoked.add(c.serialHex());
            }
        }
        if (d.lifecycle() != LifecycleState.DECOMMISSIONED) {
            devices.update(id, DeviceUpdate.builder().lifecycle(LifecycleState.DECOMMISSIONED).reason(reason).status(DeviceStatus.DISABLED)
                    .statusReason("decommissioned: " + reason).build(), Precondition.none(), actor);
        }
        for (String r : store.registrationIdsOfDevice(deviceId)) store.setRegistrationStatus(r, RegistrationStatus.DISABLED, clock.instant());
        events.emit(SecurityEvent.builder(EventClass.DEVICE_CONFIG_STATE_CHANGE, "provisioning.device.deprovisioned").source("provisioning")
                .severity(Severity.MEDIUM).device(deviceId).actor(actor).message("device '" + deviceId + "' deprovisioned: " + reason)
                .detail("reason", reason).detail("revokedSerials", String.join(",", revoked)).build());
        return new Deprovisioned(deviceId, revoked, reason);
    }

    // ----

    private static X509Certificate parseCertificate(byte[] der) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw ProvisioningRefusal.invalidRequest("certificate: not an X.509 certificate (DER or PEM)").exception(e);
        }
    }

    private static void verifyCrl(byte[] der, X509Certificate issuer, String name) {
        try {
            X509CRL crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
            crl.verify(issuer.getPublicKey());
        } catch (GeneralSecurityException | RuntimeException e) {
            throw ProvisioningRefusal.invalidRequest("crl: not an X.509 CRL signed by manufacturer CA '" + name + "'").exception(e);
        }
    }

    private void emit(EventClass cls, String activity, String actor, String message) {
        events.emit(SecurityEvent.builder(cls, activity).source("provisioning").actor(actor).message(message).build());
    }

    private void emitRefusal(String activity, String actor, String message) {
        events.emit(SecurityEvent.builder(EventClass.ENTITY_MANAGEMENT, activity).source("provisioning").outcome(SecurityEvent.Outcome.FAILURE)
                .severity(Severity.MEDIUM).actor(actor).message(message).build());
    }
}
