package dev.holdfast.pki;

import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;

import java.util.List;
import java.util.Locale;

/**
 * Issuance profiles: what a certificate may be used for and which issuing CA signs it. The subject
 * and SANs never come from here or from the CSR alone, but from the caller's authorization.
 *
 * <p>Key usage is digitalSignature only (plus keyEncipherment for RSA server keys, kept for
 * interoperability with TLS 1.2 stacks that check it): Holdfast's TLS policy allows ECDHE key
 * exchange only, where the certificate key only signs.
 */
public enum Profile {
    /** A device's operational identity (LDevID): TLS client towards the hub. */
    DEVICE(IssuingCaRole.DEVICES, List.of(KeyPurposeId.id_kp_clientAuth), KeyUsage.digitalSignature),
    /** An edge gateway: client towards the hub, server towards its legacy devices. */
    GATEWAY(IssuingCaRole.DEVICES, List.of(KeyPurposeId.id_kp_clientAuth, KeyPurposeId.id_kp_serverAuth), KeyUsage.digitalSignature),
    /** A TLS server of the product (API, hub, EST). */
    SERVER(IssuingCaRole.INFRASTRUCTURE, List.of(KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth), KeyUsage.digitalSignature),
    /** A passive network sensor reporting to the server. */
    SENSOR(IssuingCaRole.INFRASTRUCTURE, List.of(KeyPurposeId.id_kp_clientAuth), KeyUsage.digitalSignature),
    /** A delegated OCSP responder (RFC 6960 §4.2.2.2), issued by the CA whose statuses it signs. */
    OCSP_RESPONDER(null, List.of(KeyPurposeId.id_kp_OCSPSigning), KeyUsage.digitalSignature);

    private final IssuingCaRole issuer;
    private final List<KeyPurposeId> extendedKeyUsages;
    private final int keyUsage;

    Profile(IssuingCaRole issuer, List<KeyPurposeId> ekus, int keyUsage) {
        this.issuer = issuer;
        this.extendedKeyUsages = ekus;
        this.keyUsage = keyUsage;
    }

    /** The issuing CA that signs this profile; null for OCSP responders (each CA signs its own). */
    public IssuingCaRole issuer() {
        return issuer;
    }

    public List<KeyPurposeId> extendedKeyUsages() {
        return extendedKeyUsages;
    }

    public int keyUsage() {
        return keyUsage;
    }

    /** The name used in APIs and configuration: {@code device}, {@code ocsp-responder}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Profile parse(String id) {
        for (Profile p : values()) if (p.id().equals(id) || p.name().equalsIgnoreCase(id)) return p;
        throw Refusal.invalid("unknown-profile", "profile '" + id + "' is not one of device, gateway, server, sensor, ocsp-responder");
    }
}
