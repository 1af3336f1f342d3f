package dev.holdfast.provisioning;

import java.util.regex.Pattern;

/**
 * A hub that devices can be assigned to.
 *
 * @param name     the operator's handle for the hub ({@code hub-eu-1}); what enrollments and CLI name
 * @param hostName what devices connect to; returned as {@code assignedHub}. The Azure SDK requires a dot.
 * @param weight   share of evenly weighted hashing allocations, 1..1000 (a hub with weight 2 gets twice the devices of weight 1)
 * @param region   where the hub runs ({@code eu-west}), for lowest-latency allocation; empty when unknown
 * @param enabled  a disabled hub keeps its devices but gets no new assignments
 */
public record LinkedHub(String name, String hostName, int weight, String region, boolean enabled) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))+");

    public LinkedHub {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ProvisioningRefusal.invalidRequest("name: '" + name + "' (expected: 1..64 letters, digits, '.', '_' or '-')").exception();
        }
        if (hostName == null || !HOST.matcher(hostName).matches() || hostName.length() > 253) {
            throw ProvisioningRefusal.invalidRequest("hostName: '" + hostName + "' (expected: a DNS name or IPv4 address with at least one dot)").exception();
        }
        if (weight < 1 || weight > 1000) throw ProvisioningRefusal.invalidRequest("weight: " + weight + " (expected: 1..1000)").exception();
        region = region == null ? "" : region.strip();
        if (region.length() > 64) throw ProvisioningRefusal.invalidRequest("region: longer than 64 characters").exception();
    }
}
