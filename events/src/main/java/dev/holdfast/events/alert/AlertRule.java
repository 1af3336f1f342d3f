package dev.holdfast.events.alert;

import dev.holdfast.events.Severity;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An alert rule from the configuration. Each rule that fires emits a Detection Finding (OCSF 2004)
 * with activity {@code alert.<name>}; see {@code docs/events.md} for the syntax.
 */
public sealed interface AlertRule permits AlertRule.Threshold, AlertRule.CertificateExpiry, AlertRule.NewNetwork {
    Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

    String name();

    Severity severity();

    private static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name: " + name + " (expected: 1-64 lower-case letters, digits, '-' or '_')");
        }
    }

    /**
     * Fires when {@code count} events matching {@code condition} with the same group key fall within
     * {@code window} (event time). The count starts afresh for that group after it fires.
     *
     * @param groupBy fields whose values form the group key: {@code device}, {@code actor}, {@code source},
     *                {@code activity} or {@code details.<key>}; empty means one group
     */
    record Threshold(String name, EventCondition condition, List<String> groupBy, int count, Duration window,
                     Severity severity) implements AlertRule {
        public Threshold {
            checkName(name);
            groupBy = List.copyOf(groupBy);
            for (String g : groupBy) {
                if (!List.of("device", "actor", "source", "activity").contains(g) && !(g.startsWith("details.") && g.length() > 8)) {
                    throw new IllegalArgumentException("groupBy: " + g + " (expected: device, actor, source, activity or details.<key>)");
                }
            }
            if (count < 1 || count > 100_000) throw new IllegalArgumentException("count: " + count + " (expected: 1..100000)");
            if (window == null || window.isZero() || window.isNegative()) throw new IllegalArgumentException("window: " + window + " (expected: > 0)");
        }
    }

    /** Fires once per certificate that expires within {@code within} and is not revoked. */
    record CertificateExpiry(String name, Duration within, Severity severity) implements AlertRule {
        public CertificateExpiry {
            checkName(name);
            if (within == null || within.isZero() || within.isNegative()) throw new IllegalArgumentException("within: " + within + " (expected: > 0)");
        }
    }

    /**
     * Fires when an event matching {@code condition} for a device carries a source address (in detail
     * {@code addressDetail}) outside every network that device was seen from before. A device's first
     * network is learnt silently. Networks are IPv4 /{@code ipv4Prefix} and IPv6 /{@code ipv6Prefix}.
     */
    record NewNetwork(String name, EventCondition condition, String addressDetail, int ipv4Prefix, int ipv6Prefix,
                      Severity severity) implements AlertRule {
        public NewNetwork {
            checkName(name);
            if (ipv4Prefix < 1 || ipv4Prefix > 32) throw new IllegalArgumentException("ipv4Prefix: " + ipv4Prefix + " (expected: 1..32)");
            if (ipv6Prefix < 1 || ipv6Prefix > 128) throw new IllegalArgumentException("ipv6Prefix: " + ipv6Prefix + " (expected: 1..128)");
        }
    }
}
