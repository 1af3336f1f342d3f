package dev.holdfast.provisioning;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;

/**
 * How a registration picks its hub among the enrollment's enabled linked hubs.
 */
public sealed interface AllocationPolicy {

    /** The name on the wire: {@code hashed}, {@code geoLatency}, {@code static}, {@code custom}, {@code webhook}. */
    String type();

    /**
     * Evenly weighted hashing: weighted rendezvous hashing of the registration id over the hubs' names.
     * A pure function of (registration id, hub set), so it is the same on every node and after restarts,
     * and only devices of a removed hub move when the set changes.
     */
    record Hashed() implements AllocationPolicy {
        public String type() { return "hashed"; }
    }

    /**
     * Lowest latency: the hubs in the device's region (the registration payload's {@code region}, else
     * the enrollment's initial tag {@code region}, else the provisioning service's own region), hashed
     * among themselves; all hubs when none is in that region.
     */
    record LowestLatency() implements AllocationPolicy {
        public String type() { return "geoLatency"; }
    }

    /** Always {@code hub} (a linked hub's name). */
    record Static(String hub) implements AllocationPolicy {
        public Static {
            if (hub == null || hub.isBlank()) throw ProvisioningRefusal.invalidRequest("allocation.hub: required for a static policy").exception();
        }
        public String type() { return "static"; }
    }

    /**
     * A CEL expression over {@code registration} ({@code registrationId}, {@code payload}, {@code tags},
     * {@code certificate.subject}, {@code certificate.issuer}) and {@code hubs} (list of maps with
     * {@code name}, {@code hostName}, {@code region}, {@code weight}) that yields the name of the hub.
     */
    record Cel(String expression) implements AllocationPolicy {
        public Cel {
            if (expression == null || expression.isBlank() || expression.length() > 4096) {
                throw ProvisioningRefusal.invalidRequest("allocation.expression: 1..4096 characters of CEL expected").exception();
            }
        }
        public String type() { return "custom"; }
    }

    /**
     * An HTTPS webhook that answers with the hub and the initial twin (Azure DPS's custom allocation
     * function contract). {@code onFailure} decides what a timeout or a bad answer does.
     */
    record Webhook(URI url, Duration timeout, FailurePolicy onFailure) implements AllocationPolicy {
        public Webhook {
            if (url == null || !"https".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
                throw ProvisioningRefusal.invalidRequest("allocation.url: '" + url + "' (expected: an https:// URL)").exception();
            }
            if (timeout == null) timeout = Duration.ofSeconds(5);
            if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofSeconds(30)) > 0) {
                throw ProvisioningRefusal.invalidRequest("allocation.timeout: " + timeout + " (expected: > 0 and <= PT30S)").exception();
            }
            if (onFailure == null) onFailure = FailurePolicy.REFUSE;
        }
        public String type() { return "webhook"; }
    }

    /** What a failed webhook does: refuse the registration (retry later), or fall back to hashing. */
    enum FailurePolicy {
        REFUSE, HASHED;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static FailurePolicy parse(String s) {
            for (FailurePolicy p : values()) if (p.wireName().equals(s)) return p;
            throw ProvisioningRefusal.invalidRequest("allocation.onFailure: '" + s + "' (expected: refuse or hashed)").exception();
        }
    }
}
