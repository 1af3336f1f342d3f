package dev.holdfast.hub.internal;

import dev.holdfast.pki.CertificateAuthority;
import dev.holdfast.registry.Authentication;
import dev.holdfast.registry.Device;
import dev.holdfast.registry.DeviceId;
import dev.holdfast.registry.DeviceRegistry;
import dev.holdfast.registry.DeviceStatus;
import dev.holdfast.registry.LifecycleState;

import javax.security.auth.x500.X500Principal;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Authenticates a device at CONNECT, after the TLS handshake has proved possession of the
 * certificate's key (the handshake itself only checks the chain's signatures, so that DPS clients
 * with manufacturer certificates can share the listener). In order:
 * <ol>
 *   <li>client id is a valid device id ({@code {deviceId}} or {@code {deviceId}/{moduleId}});</li>
 *   <li>the username is {@code {hubHost}/{clientId}/...} (PROTOCOLS.md);</li>
 *   <li>the leaf certificate is within its validity period now;</li>
 *   <li>the registry knows the device, it is enabled and not decommissioned;</li>
 *   <li>the certificate is the one the registry binds to the device: a bound SHA-256 thumbprint, or
 *       for CA-signed devices a chain to the devices issuing CA whose subject CN is the device id;</li>
 *   <li>a certificate from our CA is not in the CA's in-memory revocation set.</li>
 * </ol>
 * Blocking (a registry read): call off the network threads.
 */
public final class DeviceAuthenticator {
    private final CertificateAuthority ca;
    private final DeviceRegistry registry;

    public DeviceAuthenticator(CertificateAuthority ca, DeviceRegistry registry) {
        this.ca = ca;
        this.registry = registry;
    }

    /** Why a CONNECT was refused; {@code code} is the short reason counted in metrics and events. */
    public enum Reason {
        BAD_CLIENT_ID, BAD_USERNAME, NO_CERTIFICATE, CERTIFICATE_NOT_YET_VALID, CERTIFICATE_EXPIRED, UNKNOWN_DEVICE, DEVICE_DISABLED,
        DEVICE_DECOMMISSIONED, NO_CREDENTIAL, CERTIFICATE_NOT_BOUND, UNKNOWN_CA, CERTIFICATE_REVOKED
    }

    public sealed interface Outcome {
    }

    public record Accepted(Device device, Optional<String> moduleId, X509Certificate certificate, String sha256) implements Outcome {
    }

    public record Refused(Reason reason, String message) implements Outcome {
    }

    public Outcome authenticate(String clientId, String username, X509Certificate[] chain, Instant now) {
        String deviceIdText = clientId;
        Optional<String> module = Optional.empty();
        int slash = clientId == null ? -1 : clientId.indexOf('/');
        if (slash > 0) {
            deviceIdText = clientId.substring(0, slash);
            module = Optional.of(clientId.substring(slash + 1));
            if (!DeviceId.isValid(module.get())) return new Refused(Reason.BAD_CLIENT_ID, "client id '" + IotHubTopic.excerpt(clientId) + "': bad module id");
        }
        if (deviceIdText == null || !DeviceId.isValid(deviceIdText)) {
            return new Refused(Reason.BAD_CLIENT_ID, "client id '" + IotHubTopic.excerpt(String.valueOf(clientId))
                    + "' is not a device id (expected: {deviceId} or {deviceId}/{moduleId})");
        }
        if (username == null) return new Refused(Reason.BAD_USERNAME, "no username (expected: {hubHost}/" + clientId + "/?api-version=...)");
        int first = username.indexOf('/');
        if (first < 1 || !username.startsWith(clientId + "/", first + 1)) {
            return new Refused(Reason.BAD_USERNAME, "username '" + IotHubTopic.excerpt(username) + "' does not name client '" + clientId
                    + "' (expected: {hubHost}/" + clientId + "/?api-version=...)");
        }
        if (chain == null || chain.length == 0) return new Refused(Reason.NO_CERTIFICATE, "no client certificate");
        X509Certificate leaf = chain[0];
        Date date = Date.from(now);
        if (date.before(leaf.getNotBefore())) {
            return new Refused(Reason.CERTIFICATE_NOT_YET_VALID, "client certificate is valid only from " + leaf.getNotBefore().toInstant());
        }
        if (date.after(leaf.getNotAfter())) {
            return new Refused(Reason.CERTIFICATE_EXPIRED, "client certificate expired at " + leaf.getNotAfter().toInstant());
        }
        DeviceId id = new DeviceId(deviceIdText);
        Optional<Device> found = registry.find(id);
        if (found.isEmpty()) return new Refused(Reason.UNKNOWN_DEVICE, "device '" + id + "' is not registered");
        Device device = found.get();
        if (device.lifecycle() == LifecycleState.DECOMMISSIONED) return new Refused(Reason.DEVICE_DECOMMISSIONED, "device '" + id + "' is decommissioned");
        if (device.status() != DeviceStatus.ENABLED) {
            return new Refused(Reason.DEVICE_DISABLED, "device '" + id + "' is disabled" + device.statusReason().map(r -> ": " + r).orElse(""));
        }
        String sha256 = sha256(leaf);
        X509Certificate devicesCa = ca.caCertificate("devices");
        boolean fromOurCa = leaf.getIssuerX500Principal().equals(devicesCa.getSubjectX500Principal());
        switch (device.authentication()) {
            case Authentication.None n -> {
                return new Refused(Reason.NO_CREDENTIAL, "device '" + id + "' has no credential bound in the registry");
            }
            case Authentication.Certificate bound -> {
                if (!bound.thumbprints().contains(sha256)) {
                    return new Refused(Reason.CERTIFICATE_NOT_BOUND, "certificate SHA-256 " + sha256 + " is not bound to device '" + id + "'");
                }
            }
            case Authentication.CaSigned c -> {
                if (!chainsTo(chain, devicesCa, date)) {
                    return new Refused(Reason.UNKNOWN_CA, "client certificate of device '" + id + "' does not chain to the devices CA "
                            + devicesCa.getSubjectX500Principal().getName());
                }
                String cn = commonName(leaf.getSubjectX500Principal());
                if (!deviceIdText.equals(cn)) {
                    return new Refused(Reason.CERTIFICATE_NOT_BOUND, "certificate subject CN '" + IotHubTopic.excerpt(String.valueOf(cn))
                            + "' is not device '" + id + "'");
                }
            }
        }
        if (fromOurCa && ca.isRevoked(leaf.getSerialNumber())) {
            return new Refused(Reason.CERTIFICATE_REVOKED, "certificate " + leaf.getSerialNumber().toString(16) + " of device '" + id + "' is revoked");
        }
        return new Accepted(device, module, leaf, sha256);
    }

    /** The revocation check alone (in memory): for a session registered just as its certificate was revoked. */
    public boolean isRevoked(X509Certificate certificate) {
        return certificate.getIssuerX500Principal().equals(ca.caCertificate("devices").getSubjectX500Principal())
                && ca.isRevoked(certificate.getSerialNumber());
    }

    private static boolean chainsTo(X509Certificate[] chain, X509Certificate anchor, Date at) {
        try {
            List<X509Certificate> path = new ArrayList<>();
            for (X509Certificate c : chain) {
                if (c.equals(anchor)) break;
                path.add(c);
            }
            if (path.isEmpty()) return false;
            PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
            params.setRevocationEnabled(false); // the CA's in-memory set is checked separately, without I/O
            params.setDate(at);
            CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    static String commonName(X500Principal p) {
        try {
            for (var rdn : new javax.naming.ldap.LdapName(p.getName(X500Principal.RFC2253)).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) return String.valueOf(rdn.getValue());
            }
        } catch (javax.naming.InvalidNameException e) {
            return null;
        }
        return null;
    }

    public static String sha256(X509Certificate c) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 of a certificate: " + e.getMessage(), e);
        }
    }
}
