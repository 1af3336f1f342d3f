package dev.holdfast.pki.internal;

import dev.holdfast.events.EventClass;
import dev.holdfast.events.EventSink;
import dev.holdfast.events.SecurityEvent;
import dev.holdfast.events.Severity;
import dev.holdfast.pki.Bytes;
import dev.holdfast.pki.CaInfo;
import dev.holdfast.pki.CertificateAuthority;
import dev.holdfast.pki.CertificateFilter;
import dev.holdfast.pki.IssuanceRequest;
import dev.holdfast.pki.IssuedCertificate;
import dev.holdfast.pki.IssuingCaRole;
import dev.holdfast.pki.PkiSettings;
import dev.holdfast.pki.Profile;
import dev.holdfast.pki.Refusal;
import dev.holdfast.pki.RevocationListener;
import dev.holdfast.pki.RevocationReason;
import dev.holdfast.pki.SubjectAuthorization;
import dev.holdfast.pki.spi.KeyBackend;
import dev.holdfast.pki.spi.Signer;
import dev.holdfast.store.Database;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The CA hierarchy (root, devices, infrastructure) over a {@link KeyBackend}, with issuance and
 * revocation recorded in the store. The revocation set is held in memory (a set of serials) so the
 * hub and the OCSP responder answer without a database round trip.
 */
public final class DefaultCertificateAuthority implements CertificateAuthority {
    private static final Logger log = LoggerFactory.getLogger(DefaultCertificateAuthority.class);
    public static final String ROOT = "root";
    /** Issued certificates start this long before issuance, for devices whose clocks run a little behind. */
    private static final Duration BACKDATE = Duration.ofMinutes(1);

    private final Database db;
    private final KeyBackend keys;
    private final PkiSettings settings;
    private final EventSink events;
    private final Clock clock;
    private final CertificateRepository certificates;
    private final Map<String, Authority> active = new ConcurrentHashMap<>();
    private final Set<BigInteger> revoked = ConcurrentHashMap.newKeySet();
    private final List<RevocationListener> listeners = new CopyOnWriteArrayList<>();
    private final SecureRandom random = new SecureRandom();

    private DefaultCertificateAuthority(Database db, KeyBackend keys, PkiSettings settings, EventSink events, Clock clock) {
        this.db = db;
        this.keys = keys;
        this.settings = settings;
        this.events = events;
        this.clock = clock;
        this.certificates = new CertificateRepository(db);
    }

    /** Opens the CA on the store; loads every active authority and the revocation set. */
    public static DefaultCertificateAuthority open(Database db, KeyBackend keys, PkiSettings settings, EventSink events, Clock clock) {
        db.migrate("pki");
        var ca = new DefaultCertificateAuthority(db, keys, settings, events, clock);
        ca.loadAuthorities();
        ca.certificates.forEachRevokedSerial(s -> ca.revoked.add(new BigInteger(s, 16)));
        return ca;
    }

    public CertificateRepository repository() {
        return certificates;
    }

    public Database database() {
        return db;
    }

    public Clock clock() {
        return clock;
    }

    public EventSink events() {
        return events;
    }

    /** True when the root and both issuing CAs are active. */
    public boolean isInitialized() {
        return active.keySet().containsAll(List.of(IssuingCaRole.DEVICES.caName(), IssuingCaRole.INFRASTRUCTURE.caName()));
    }

    /** Active authority by name, for CRL and OCSP signing. */
    public Authority authority(String name) {
        Authority a = active.get(name);
        if (a == null) throw Refusal.notFound("unknown-ca", "certificate authority '" + name + "' is not active");
        return a;
    }

    public List<Authority> activeAuthorities() {
        return List.copyOf(active.values());
    }

    // ---------------------------------------------------------------- hierarchy

    private void loadAuthorities() {
        db.withConnection(c -> {
            try (ResultSet rs = c.createStatement().executeQuery("SELECT name, role, parent, status, key_alias, cert_der FROM ca_authority")) {
                while (rs.next()) {
                    if (!"ACTIVE".equals(rs.getString(4))) continue;
                    String name = rs.getString(1);
                    X509CertificateHolder holder = new X509CertificateHolder(rs.getBytes(6));
                    Signer signer = keys.load(rs.getString(5)).orElseThrow(() -> new IllegalStateException(
                            "the key of CA '" + name + "' is not in " + keys.describe()));
                    active.put(name, toAuthority(name, CaInfo.Role.valueOf(rs.getString(2)), holder, signer, Optional.ofNullable(rs.getString(3))));
                }
            } catch (java.io.IOException e) {
                throw new IllegalStateException("a stored CA certificate does not parse", e);
            }
            return null;
        });
    }

    private static Authority toAuthority(String name, CaInfo.Role role, X509CertificateHolder holder, Signer signer, Optional<String> parent) {
        X509Certificate cert = toX509(holder);
        if (!cert.getPublicKey().equals(signer.publicKey())) {
            throw new IllegalStateException("the certificate of CA '" + name + "' does not match its key at " + signer.location());
        }
        SubjectKeyIdentifier ski = SubjectKeyIdentifier.fromExtensions(holder.getExtensions());
        byte[] skiBytes = ski != null ? ski.getKeyIdentifier() : keyId(holder.getSubjectPublicKeyInfo());
        return new Authority(name, role, cert, holder, signer, skiBytes, parent);
    }

    /**
     * Creates the root and the two issuing CAs when they do not exist. Idempotent: an existing
     * hierarchy is left as it is.
     */
    public synchronized void initialize() {
        if (isInitialized()) return;
        if (!pendingAuthorities().isEmpty()) {
            throw Refusal.conflict("ca-pending", "issuing CAs await certificates from an external root; import them instead of initializing");
        }
        Instant now = clock.instant();
        Signer rootKey = keys.generate(ROOT, settings.caKeyAlgorithm());
        X500Name rootName = caName("Root CA");
        X509CertificateHolder rootCert = buildCaCertificate(rootName, rootName, rootKey.publicKey(), rootKey, null,
                now, now.plus(settings.rootValidity()), -1, null);
        keys.attachCertificateChain(ROOT, new X509Certificate[]{toX509(rootCert)});
        saveAuthority(ROOT, CaInfo.Role.ROOT, null, "ACTIVE", rootCert);
        Authority root = toAuthority(ROOT, CaInfo.Role.ROOT, rootCert, rootKey, Optional.empty());
        active.put(ROOT, root);
        for (IssuingCaRole role : IssuingCaRole.values()) {
            String name = role.caName();
            Signer key = keys.generate(name, settings.caKeyAlgorithm());
            Instant notAfter = min(now.plus(settings.issuingValidity()), root.certificate().getNotAfter().toInstant());
            X509CertificateHolder cert = buildCaCertificate(caName(capitalize(name) + " CA"), rootName, key.publicKey(), rootKey,
                    root.subjectKeyId(), now, notAfter, 0, ROOT);
            keys.attachCertificateChain(name, new X509Certificate[]{toX509(cert), root.certificate()});
            saveAuthority(name, CaInfo.Role.ISSUING, ROOT, "ACTIVE", cert);
            active.put(name, toAuthority(name, CaInfo.Role.ISSUING, cert, key, Optional.of(ROOT)));
        }
        events.emit(SecurityEvent.builder(EventClass.ENTITY_MANAGEMENT, "ca.initialized").source("pki").severity(Severity.MEDIUM)
                .message("certificate authority hierarchy created").detail("keyBackend", keys.describe())
                .detail("rootSha256", sha256Hex(rootCert)).build());
        log.info("CA hierarchy created; root SHA-256 {}", sha256Hex(rootCert));
    }

    /**
     * For an offline root: generates the issuing CAs' keys and returns their CSRs (DER, by CA name)
     * for the root to sign. The CAs stay PENDING until {@link #importExternalRoot} brings their
     * certificates.
     */
    public synchronized Map<String, byte[]> initializeWithExternalRoot() {
        if (isInitialized()) throw Refusal.conflict("ca-initialized", "the CA hierarchy already exists");
        Map<String, byte[]> csrs = new LinkedHashMap<>();
        for (IssuingCaRole role : IssuingCaRole.values()) {
            String name = role.caName();
            Signer key = keys.load(name).orElseGet(() -> keys.generate(name, settings.caKeyAlgorithm()));
            try {
                PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequestBuilder(caName(capitalize(name) + " CA"), key.publicKey())
                        .build(key.contentSigner());
                csrs.put(name, csr.getEncoded());
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            saveAuthority(name, CaInfo.Role.ISSUING, ROOT, "PENDING", null);
        }
        return csrs;
    }

    /**
     * Imports an externally held root and the issuing CA certificates it signed. Each certificate
     * must be a CA certificate, chain to the root, and carry the public key generated here.
     */
    public synchronized void importExternalRoot(X509Certificate rootCert, Map<String, X509Certificate> issuing) {
        try {
            rootCert.verify(rootCert.getPublicKey());
        } catch (Exception e) {
            throw Refusal.invalid("bad-root", "the root certificate is not self-signed: " + e.getMessage());
        }
        if (rootCert.getBasicConstraints() < 0) throw Refusal.invalid("bad-root", "the root certificate is not a CA certificate (basicConstraints cA=false)");
        X509CertificateHolder rootHolder = toHolder(rootCert);
        for (var e : issuing.entrySet()) {
            String name = e.getKey();
            IssuingCaRole.ofCaName(name);
            X509Certificate cert = e.getValue();
            Signer key = keys.load(name).orElseThrow(() -> Refusal.conflict("ca-not-pending", "no key was generated for CA '" + name + "'; run ca init --external-root first"));
            if (!cert.getPublicKey().equals(key.publicKey())) {
                throw Refusal.invalid("key-mismatch", "the certificate for CA '" + name + "' does not carry the key generated for it");
            }
            try {
                cert.verify(rootCert.getPublicKey());
            } catch (Exception ex) {
                throw Refusal.invalid("bad-chain", "the certificate for CA '" + name + "' is not signed by the given root");
            }
            if (cert.getBasicConstraints() < 0) throw Refusal.invalid("bad-chain", "the certificate for CA '" + name + "' is not a CA certificate");
        }
        saveAuthority(ROOT, CaInfo.Role.ROOT, null, "EXTERNAL", rootHolder);
        for (var e : issuing.entrySet()) {
            String name = e.getKey();
            X509CertificateHolder holder = toHolder(e.getValue());
            Signer key = keys.load(name).orElseThrow();
            keys.attachCertificateChain(name, new X509Certificate[]{e.getValue(), rootCert});
            saveAuthority(name, CaInfo.Role.ISSUING, ROOT, "ACTIVE", holder);
            active.put(name, toAuthority(name, CaInfo.Role.ISSUING, holder, key, Optional.of(ROOT)));
        }
        externalRoot = rootCert;
        events.emit(SecurityEvent.builder(EventClass.ENTITY_MANAGEMENT, "ca.imported").source("pki").severity(Severity.MEDIUM)
                .message("issuing CAs imported under an external root").detail("rootSha256", sha256Hex(rootHolder)).build());
    }

    private volatile X509Certificate externalRoot;

    private List<String> pendingAuthorities() {
        return db.withConnection(c -> {
            List<String> out = new ArrayList<>();
            try (ResultSet rs = c.createStatement().executeQuery("SELECT name FROM ca_authority WHERE status = 'PENDING'")) {
                while (rs.next()) out.add(rs.getString(1));
            }
            return out;
        });
    }

    private void saveAuthority(String name, CaInfo.Role role, String parent, String status, X509CertificateHolder cert) {
        db.inTransaction(c -> {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM ca_authority WHERE name = ?")) {
                del.setString(1, name);
                del.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO ca_authority (name, role, parent, status, key_alias, cert_der, created_at) VALUES (?,?,?,?,?,?,?)")) {
                ps.setString(1, name);
                ps.setString(2, role.name());
                ps.setString(3, parent);
                ps.setString(4, status);
                ps.setString(5, name);
                ps.setBytes(6, cert == null ? null : cert.getEncoded());
                ps.setLong(7, clock.millis());
                ps.executeUpdate();
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            return null;
        });
    }

    private X500Name caName(String cn) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, settings.organization()).addRDN(BCStyle.CN, settings.organization() + " " + cn).build();
    }

    private static String capitalize(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private X509CertificateHolder buildCaCertificate(X500Name subject, X500Name issuer, PublicKey key, Signer issuerKey,
                                                     byte[] issuerKeyId, Instant notBefore, Instant notAfter, int pathLen, String parentName) {
        try {
            SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(key.getEncoded());
            var b = new X509v3CertificateBuilder(issuer, newSerial(), Date.from(notBefore), Date.from(notAfter), subject, spki);
            b.addExtension(Extension.basicConstraints, true, pathLen >= 0 ? new BasicConstraints(pathLen) : new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyId(spki)));
            if (issuerKeyId != null) {
                b.addExtension(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(issuerKeyId));
            }
            if (parentName != null) {
                addRevocationPointers(b, parentName, true);
            }
            return b.build(issuerKey.contentSigner());
        } catch (CertIOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void addRevocationPointers(X509v3CertificateBuilder b, String issuerName, boolean withOcsp) throws CertIOException {
        DistributionPoint dp = new DistributionPoint(new DistributionPointName(new GeneralNames(
                new GeneralName(GeneralName.uniformResourceIdentifier, settings.crlUrl(issuerName).toString()))), null, null);
        b.addExtension(Extension.cRLDistributionPoints, false, new CRLDistPoint(new DistributionPoint[]{dp}));
        List<AccessDescription> aia = new ArrayList<>();
        if (withOcsp) {
            aia.add(new AccessDescription(AccessDescription.id_ad_ocsp,
                    new GeneralName(GeneralName.uniformResourceIdentifier, settings.ocspUrl(issuerName).toString())));
        }
        aia.add(new AccessDescription(AccessDescription.id_ad_caIssuers,
                new GeneralName(GeneralName.uniformResourceIdentifier, settings.caIssuersUrl(issuerName).toString())));
        b.addExtension(Extension.authorityInfoAccess, false, new AuthorityInformationAccess(aia.toArray(AccessDescription[]::new)));
    }

    // ---------------------------------------------------------------- issuance

    @Override
    public IssuedCertificate issue(IssuanceRequest request) {
        CsrValidator.ValidatedCsr csr = CsrValidator.validate(request.csrDer().toArray());
        Profile profile = request.profile();
        if (profile == Profile.OCSP_RESPONDER) {
            throw Refusal.forbidden("profile-internal", "ocsp-responder certificates are issued by the CA for its own responder only");
        }
        Authority issuer = active.get(profile.issuer().caName());
        if (issuer == null) throw new Refusal(Refusal.Kind.UNAVAILABLE, "ca-not-initialized", "the " + profile.issuer().caName() + " CA is not initialized").exception();
        return issueWith(issuer, csr, profile, request.subject(), request.requestedValidity(), request.actor());
    }

    /** Issues the delegated OCSP responder certificate of {@code caName} for {@code key}. */
    public IssuedCertificate issueOcspResponder(String caName, byte[] csrDer) {
        CsrValidator.ValidatedCsr csr = CsrValidator.validate(csrDer);
        Authority issuer = authority(caName);
        return issueWith(issuer, csr, Profile.OCSP_RESPONDER,
                new SubjectAuthorization(settings.organization() + " OCSP " + caName, List.of(), List.of(), Optional.empty()),
                Optional.empty(), "system");
    }

    private IssuedCertificate issueWith(Authority issuer, CsrValidator.ValidatedCsr csr, Profile profile, SubjectAuthorization who,
                                        Optional<Duration> requested, String actor) {
        Instant now = clock.instant();
        Duration max = settings.maxValidity().get(profile);
        Duration validity = requested.filter(r -> r.compareTo(max) < 0).orElse(max);
        Instant notBefore = now.minus(BACKDATE);
        Instant issuerEnd = issuer.certificate().getNotAfter().toInstant();
        Instant notAfter = min(now.plus(validity), issuerEnd);
        if (!notAfter.isAfter(now)) {
            throw new Refusal(Refusal.Kind.UNAVAILABLE, "issuer-expired", "CA '" + issuer.name() + "' has expired at " + issuerEnd).exception();
        }
        BigInteger serial = newSerial();
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, who.commonName()).build();
        X509CertificateHolder holder;
        try {
            var b = new X509v3CertificateBuilder(issuer.subject(), serial, Date.from(notBefore), Date.from(notAfter), subject, csr.keyInfo());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            int ku = profile.keyUsage();
            if (profile == Profile.SERVER && csr.keyDescription().startsWith("RSA")) ku |= KeyUsage.keyEncipherment;
            b.addExtension(Extension.keyUsage, true, new KeyUsage(ku));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(profile.extendedKeyUsages().toArray(KeyPurposeId[]::new)));
            b.addExtension(Extension.subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyId(csr.keyInfo())));
            b.addExtension(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(issuer.subjectKeyId()));
            List<GeneralName> sans = new ArrayList<>();
            who.dnsNames().forEach(d -> sans.add(new GeneralName(GeneralName.dNSName, d)));
            who.ipAddresses().forEach(ip -> sans.add(new GeneralName(GeneralName.iPAddress, ip)));
            if (!sans.isEmpty()) b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
            if (profile == Profile.OCSP_RESPONDER) {
                // RFC 6960 §4.2.2.2.1: the responder's own status is not checked during its lifetime.
                b.addExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nocheck, false, DERNull.INSTANCE);
                addCaIssuersOnly(b, issuer.name());
            } else {
                addRevocationPointers(b, issuer.name(), true);
            }
            holder = b.build(issuer.signer().contentSigner());
        } catch (CertIOException | IllegalArgumentException e) {
            throw Refusal.invalid("issuance-failed", "the certificate cannot be built: " + e.getMessage());
        }
        byte[] der;
        try {
            der = holder.getEncoded();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        IssuedCertificate issued = new IssuedCertificate(serial.toString(16), issuer.name(), profile, subject.toString(),
                who.commonName(), who.deviceId(), sha256Hex(der), notBefore.truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                notAfter.truncatedTo(java.time.temporal.ChronoUnit.SECONDS), now, IssuedCertificate.Status.GOOD,
                Optional.empty(), Optional.empty(), Bytes.wrapOwned(der));
        SecurityEvent event = SecurityEvent.builder(EventClass.ENTITY_MANAGEMENT, "certificate.issued").source("pki").actor(actor)
                .device(who.deviceId().orElse(null))
                .message("issued " + profile.id() + " certificate for " + who.commonName())
                .detail("serial", issued.serialHex()).detail("ca", issuer.name()).detail("profile", profile.id())
                .detail("sha256", issued.sha256()).detail("subject", issued.subject()).detail("key", csr.keyDescription())
                .detail("notAfter", issued.notAfter()).detail("validityCapped", requested.isPresent() && requested.get().compareTo(max) > 0 ? "true" : null)
                .build();
        // One transaction: no certificate on record without its issuance event, and one commit per
        // issuance instead of two (the event log joins the transaction when it shares this store).
        db.inTransaction(c -> {
            certificates.insert(issued, actor);
            events.emit(event);
            return null;
        });
        return issued;
    }

    private void addCaIssuersOnly(X509v3CertificateBuilder b, String issuerName) throws CertIOException {
        b.addExtension(Extension.authorityInfoAccess, false, new AuthorityInformationAccess(new AccessDescription[]{
                new AccessDescription(AccessDescription.id_ad_caIssuers,
                        new GeneralName(GeneralName.uniformResourceIdentifier, settings.caIssuersUrl(issuerName).toString()))}));
    }

    /** 128 random bits, positive (RFC 5280 §4.1.2.2 allows up to 20 octets; CA/B Forum asks for ≥ 64 random bits). */
    private BigInteger newSerial() {
        byte[] b = new byte[16];
        random.nextBytes(b);
        BigInteger s = new BigInteger(1, b);
        return s.signum() == 0 ? BigInteger.ONE : s;
    }

    // ---------------------------------------------------------------- revocation

    @Override
    public IssuedCertificate revoke(String serialHex, RevocationReason reason, String actor) {
        String serial = normalizeSerial(serialHex);
        if (reason == RevocationReason.REMOVE_FROM_CRL) {
            throw Refusal.invalid("bad-revocation-reason", "removeFromCRL belongs in delta CRLs only (RFC 5280 §5.3.1); it cannot revoke a certificate");
        }
        IssuedCertificate c = certificates.find(serial).orElseThrow(() ->
                Refusal.notFound("unknown-certificate", "no certificate with serial " + serial + " was issued by this CA"));
        Instant at = clock.instant();
        if (!certificates.markRevoked(serial, at, reason)) {
            throw Refusal.conflict("already-revoked", "certificate " + serial + " is already revoked");
        }
        revoked.add(c.serial());
        IssuedCertificate after = certificates.find(serial).orElseThrow();
        for (RevocationListener l : listeners) {
            try {
                l.revoked(after);
            } catch (RuntimeException e) {
                log.warn("revocation listener failed for serial {}", serial, e);
            }
        }
        events.emit(SecurityEvent.builder(EventClass.ENTITY_MANAGEMENT, "certificate.revoked").source("pki").actor(actor)
                .severity(reason == RevocationReason.KEY_COMPROMISE ? Severity.HIGH : Severity.MEDIUM)
                .device(c.deviceId().orElse(null)).message("revoked certificate " + serial + " (" + reason.rfcName() + ")")
                .detail("serial", serial).detail("ca", c.caName()).detail("reason", reason.rfcName()).detail("sha256", c.sha256())
                .build());
        return after;
    }

    public static String normalizeSerial(String serialHex) {
        String s = serialHex == null ? "" : serialHex.replace(":", "").trim();
        try {
            BigInteger v = new BigInteger(s, 16);
            if (v.signum() <= 0) throw new NumberFormatException();
            return v.toString(16);
        } catch (NumberFormatException e) {
            throw Refusal.invalid("bad-serial", "serial '" + serialHex + "' is not a positive hexadecimal number");
        }
    }

    @Override
    public boolean isRevoked(BigInteger serial) {
        return revoked.contains(serial);
    }

    @Override
    public void addRevocationListener(RevocationListener listener) {
        listeners.add(listener);
    }

    /**
     * Emits {@code certificate.expiring} once per good certificate that enters its warning window (see
     * {@link CertificateRepository#expiringUnwarned}).
     */
    public int warnExpiring() {
        int n = 0;
        for (IssuedCertificate c : certificates.expiringUnwarned(clock.instant(), settings.expiryWarning(), 1000)) {
            events.emit(SecurityEvent.builder(EventClass.ENTITY_MANAGEMENT, "certificate.expiring").source("pki")
                    .severity(Severity.LOW).device(c.deviceId().orElse(null))
                    .message("certificate " + c.serialHex() + " for " + c.commonName() + " expires at " + c.notAfter())
                    .detail("serial", c.serialHex()).detail("notAfter", c.notAfter()).detail("profile", c.profile().id()).build());
            certificates.markExpiryWarned(c.serialHex());
            n++;
        }
        return n;
    }

    // ---------------------------------------------------------------- queries

    @Override
    public Optional<IssuedCertificate> find(String serialHex) {
        return certificates.find(normalizeSerial(serialHex));
    }

    @Override
    public List<IssuedCertificate> search(CertificateFilter filter) {
        return certificates.search(filter);
    }

    @Override
    public List<CaInfo> authorities() {
        return db.withConnection(c -> {
            List<CaInfo> out = new ArrayList<>();
            try (ResultSet rs = c.createStatement().executeQuery("SELECT name, role, parent, status, key_alias, cert_der FROM ca_authority ORDER BY role DESC, name")) {
                while (rs.next()) {
                    byte[] der = rs.getBytes(6);
                    String status = rs.getString(4);
                    Optional<X509Certificate> cert = der == null ? Optional.empty() : Optional.of(toX509(der));
                    String location = "EXTERNAL".equals(status) ? "external (offline)" :
                            keys.load(rs.getString(5)).map(Signer::location).orElse("missing");
                    out.add(new CaInfo(rs.getString(1), CaInfo.Role.valueOf(rs.getString(2)),
                            "PENDING".equals(status) ? CaInfo.Status.PENDING : CaInfo.Status.ACTIVE, cert, location,
                            Optional.ofNullable(rs.getString(3))));
                }
            }
            return out;
        });
    }

    @Override
    public X509Certificate caCertificate(String name) {
        Authority a = active.get(name);
        if (a != null) return a.certificate();
        if (ROOT.equals(name)) {
            return trustAnchors().stream().findFirst().orElseThrow(() -> Refusal.notFound("unknown-ca", "no root CA"));
        }
        throw Refusal.notFound("unknown-ca", "certificate authority '" + name + "' is not active");
    }

    @Override
    public List<X509Certificate> chain(String caName) {
        List<X509Certificate> out = new ArrayList<>();
        out.add(caCertificate(caName));
        if (!ROOT.equals(caName)) out.add(caCertificate(ROOT));
        return out;
    }

    @Override
    public List<X509Certificate> trustAnchors() {
        Authority root = active.get(ROOT);
        if (root != null) return List.of(root.certificate());
        if (externalRoot != null) return List.of(externalRoot);
        return db.withConnection(c -> {
            try (ResultSet rs = c.createStatement().executeQuery("SELECT cert_der FROM ca_authority WHERE name = 'root' AND cert_der IS NOT NULL")) {
                return rs.next() ? List.of(toX509(rs.getBytes(1))) : List.<X509Certificate>of();
            }
        });
    }

    @Override
    public PkiSettings settings() {
        return settings;
    }

    // ---------------------------------------------------------------- helpers

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    /** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING. */
    static byte[] keyId(SubjectPublicKeyInfo spki) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(spki.getPublicKeyData().getBytes());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256Hex(byte[] der) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256Hex(X509CertificateHolder h) {
        try {
            return sha256Hex(h.getEncoded());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static X509Certificate toX509(X509CertificateHolder h) {
        try {
            return new JcaX509CertificateConverter().getCertificate(h);
        } catch (CertificateException e) {
            throw new IllegalStateException(e);
        }
    }

    static X509Certificate toX509(byte[] der) {
        try {
            return toX509(new X509CertificateHolder(der));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static X509CertificateHolder toHolder(X509Certificate c) {
        try {
            return new X509CertificateHolder(c.getEncoded());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
