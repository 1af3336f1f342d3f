package dev.holdfast.pki;

import java.util.List;
import java.util.Optional;

/**
 * The identity a caller is authorized to obtain a certificate for: the CA writes exactly this into
 * the subject and SANs, whatever the CSR asks for.
 *
 * @param commonName  the subject CN (a device id for device profiles, a host name for servers)
 * @param dnsNames    DNS SANs
 * @param ipAddresses IP SANs (literal IPv4 or IPv6)
 * @param deviceId    the registry device this certificate belongs to, when it is a device's
 */
public record SubjectAuthorization(String commonName, List<String> dnsNames, List<String> ipAddresses,
                                   Optional<String> deviceId) {
    public SubjectAuthorization {
        if (commonName == null || commonName.isBlank() || commonName.length() > 64) {
            throw Refusal.invalid("bad-common-name", "common name '" + commonName + "' must be 1..64 characters (RFC 5280 ub-common-name)");
        }
        if (commonName.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
            throw Refusal.invalid("bad-common-name", "common name must not contain control characters");
        }
        dnsNames = List.copyOf(dnsNames == null ? List.of() : dnsNames);
        ipAddresses = List.copyOf(ipAddresses == null ? List.of() : ipAddresses);
        deviceId = deviceId == null ? Optional.empty() : deviceId;
        for (String d : dnsNames) {
            if (!d.matches("(\\*\\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*")) {
                throw Refusal.invalid("bad-dns-name", "DNS name '" + d + "' is not a valid host name (RFC 1123)");
            }
        }
        for (String ip : ipAddresses) {
            if (!ip.matches("[0-9.]+|[0-9A-Fa-f:.]+") || !ip.contains(".") && !ip.contains(":")) {
                throw Refusal.invalid("bad-ip-address", "IP address '" + ip + "' is not a literal IPv4 or IPv6 address");
            }
        }
    }

    public static SubjectAuthorization device(String deviceId) {
        return new SubjectAuthorization(deviceId, List.of(), List.of(), Optional.of(deviceId));
    }

    public static SubjectAuthorization server(String commonName, List<String> dns, List<String> ips) {
        return new SubjectAuthorization(commonName, dns, ips, Optional.empty());
    }
}
