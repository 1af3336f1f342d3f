package dev.holdfast.pki;

import java.net.URI;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * How the PKI behaves; built by the server from configuration.
 *
 * @param publicBaseUrl     where clients reach the server ({@code https://host:8443}); CRL, OCSP and
 *                          caIssuers URLs in every certificate are built from it
 * @param organization      the O= of CA subjects
 * @param caKeyAlgorithm    algorithm of newly created CA keys
 * @param rootValidity      lifetime of a root created by Holdfast
 * @param issuingValidity   lifetime of an issuing CA certificate (capped by the root)
 * @param maxValidity       per-profile cap on issued certificates
 * @param crlValidity       nextUpdate - thisUpdate of every CRL
 * @param crlRefresh        a CRL is re-signed at least this often, even without changes
 * @param ocspValidity      nextUpdate - thisUpdate of pre-signed OCSP responses
 * @param expiryWarning     certificates expiring within this window raise an event once
 * @param renewalFraction   EST offers renewal from this fraction of a certificate's lifetime (2/3)
 */
public record PkiSettings(URI publicBaseUrl, String organization, KeyAlgorithm caKeyAlgorithm, Duration rootValidity,
                          Duration issuingValidity, Map<Profile, Duration> maxValidity, Duration crlValidity,
                          Duration crlRefresh, Duration ocspValidity, Duration expiryWarning, double renewalFraction) {
    public PkiSettings {
        if (publicBaseUrl == null || !"https".equals(publicBaseUrl.getScheme())) {
            throw new IllegalArgumentException("publicBaseUrl: " + publicBaseUrl + " (expected: https://host:port)");
        }
        EnumMap<Profile, Duration> m = new EnumMap<>(Profile.class);
        for (Profile p : Profile.values()) m.put(p, defaultMax(p));
        if (maxValidity != null) m.putAll(maxValidity);
        maxValidity = java.util.Collections.unmodifiableMap(m);
        if (renewalFraction <= 0 || renewalFraction > 1) {
            throw new IllegalArgumentException("renewalFraction: " + renewalFraction + " (expected: 0 < f <= 1)");
        }
    }

    private static Duration defaultMax(Profile p) {
        return switch (p) {
            case DEVICE, GATEWAY, SENSOR -> Duration.ofDays(365);
            case SERVER -> Duration.ofDays(397);
            case OCSP_RESPONDER -> Duration.ofDays(30);
        };
    }

    public static PkiSettings defaults(URI publicBaseUrl) {
        return new PkiSettings(publicBaseUrl, "Holdfast", KeyAlgorithm.EC_P256, Duration.ofDays(7300), Duration.ofDays(3650),
                null, Duration.ofDays(7), Duration.ofHours(1), Duration.ofHours(1), Duration.ofDays(30), 2.0 / 3.0);
    }

    public URI crlUrl(String caName) {
        return publicBaseUrl.resolve("/pki/crl/" + caName + ".crl");
    }

    public URI ocspUrl(String caName) {
        return publicBaseUrl.resolve("/pki/ocsp/" + caName);
    }

    public URI caIssuersUrl(String caName) {
        return publicBaseUrl.resolve("/pki/ca/" + caName + ".crt");
    }
}
