package dev.holdfast.events.alert;

import dev.holdfast.events.EventClass;
import dev.holdfast.events.EventLog;
import dev.holdfast.events.EventSink;
import dev.holdfast.events.EventSubscription;
import dev.holdfast.events.SecurityEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Evaluates the configured alert rules over the event stream and emits a Detection Finding for each
 * rule that fires. Windows run on event time, so a scripted sequence gives the same findings
 * whenever it is replayed. The engine ignores its own findings (source {@value #SOURCE}), so a rule
 * can never fire on what it emitted.
 */
public final class AlertEngine {
    private static final Logger log = LoggerFactory.getLogger(AlertEngine.class);
    public static final String SOURCE = "alerts";
    /** Threshold groups kept per rule; the least recently used beyond it are forgotten. */
    static final int MAX_GROUPS = 100_000;
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private final List<AlertRule> rules;
    private final EventSink sink;
    private final NetworkMemory networks;
    private final Clock clock;
    private final Map<String, Map<String, ArrayDeque<Instant>>> windows = new LinkedHashMap<>();
    private final Set<String> expiryReported = new HashSet<>();

    public AlertEngine(List<AlertRule> rules, EventSink sink, NetworkMemory networks, Clock clock) {
        this.rules = List.copyOf(rules);
        this.sink = sink;
        this.networks = networks;
        this.clock = clock;
        Set<String> names = new HashSet<>();
        for (AlertRule r : this.rules) {
            if (!names.add(r.name())) throw new IllegalArgumentException("rule name " + r.name() + " used twice (expected: unique)");
        }
    }

    public List<AlertRule> rules() {
        return rules;
    }

    /** Feeds the engine from the log's live stream (everything but its own findings). */
    public EventSubscription attach(EventLog eventLog) {
        return eventLog.subscribe(e -> !SOURCE.equals(e.sourceModule()), stored -> accept(stored.event()));
    }

    /** Evaluates every stream rule against {@code e}; emits findings through the sink. */
    public synchronized void accept(SecurityEvent e) {
        if (SOURCE.equals(e.sourceModule())) return;
        for (AlertRule rule : rules) {
            try {
                switch (rule) {
                    case AlertRule.Threshold t -> threshold(t, e);
                    case AlertRule.NewNetwork n -> newNetwork(n, e);
                    case AlertRule.CertificateExpiry ignored -> {
                    }
                }
            } catch (RuntimeException ex) {
                log.warn("alert rule {} failed on event {}", rule.name(), e.id(), ex);
            }
        }
    }

    private void threshold(AlertRule.Threshold t, SecurityEvent e) {
        if (!t.condition().test(e)) return;
        String key = groupKey(t.groupBy(), e);
        Map<String, ArrayDeque<Instant>> groups = windows.computeIfAbsent(t.name(), n -> new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, ArrayDeque<Instant>> eldest) {
                return size() > MAX_GROUPS;
            }
        });
        ArrayDeque<Instant> times = groups.computeIfAbsent(key, k -> new ArrayDeque<>());
        Instant cutoff = e.time().minus(t.window());
        times.addLast(e.time());
        while (!times.isEmpty() && times.peekFirst().isBefore(cutoff)) times.pollFirst();
        if (times.size() < t.count()) return;
        Instant first = times.peekFirst();
        times.clear();
        SecurityEvent.Builder finding = SecurityEvent.builder(EventClass.DETECTION_FINDING, "alert." + t.name())
                .severity(t.severity()).source(SOURCE)
                .message(t.count() + " events matching rule " + t.name() + " within " + format(t.window())
                        + (key.isEmpty() ? "" : " for " + key))
                .detail("rule", t.name()).detail("condition", t.condition().toString()).detail("count", t.count())
                .detail("window", t.window().toString()).detail("group", key)
                .detail("firstEventTime", first).detail("lastEventId", e.id());
        if (t.groupBy().contains("device")) e.deviceId().ifPresent(finding::device);
        sink.emit(finding.build());
    }

    private void newNetwork(AlertRule.NewNetwork n, SecurityEvent e) {
        if (e.deviceId().isEmpty() || !n.condition().test(e)) return;
        String address = e.details().get(n.addressDetail());
        if (address == null) return;
        String network = network(address, n.ipv4Prefix(), n.ipv6Prefix());
        if (network == null) return;
        String device = e.deviceId().get();
        if (networks.remember(n.name(), device, network) != NetworkMemory.Sighting.NEW_NETWORK) return;
        sink.emit(SecurityEvent.builder(EventClass.DETECTION_FINDING, "alert." + n.name())
                .severity(n.severity()).source(SOURCE).device(device)
                .message("device " + device + " connected from new network " + network)
                .detail("rule", n.name()).detail("network", network).detail("address", address)
                .detail("triggeringEventId", e.id()).build());
    }

    /** Emits a finding for each certificate that expires within a rule's window, once per certificate and rule. */
    public synchronized int checkCertificates(Collection<ExpiringCertificate> certificates) {
        Instant now = clock.instant();
        int fired = 0;
        for (AlertRule rule : rules) {
            if (!(rule instanceof AlertRule.CertificateExpiry x)) continue;
            for (ExpiringCertificate c : certificates) {
                if (c.notAfter().isAfter(now.plus(x.within()))) continue;
                if (!expiryReported.add(x.name() + "/" + c.serialHex())) continue;
                Duration left = Duration.between(now, c.notAfter());
                SecurityEvent.Builder b = SecurityEvent.builder(EventClass.DETECTION_FINDING, "alert." + x.name())
                        .severity(x.severity()).source(SOURCE)
                        .message(left.isNegative() ? "certificate " + c.serialHex() + " (" + c.subject() + ") has expired"
                                : "certificate " + c.serialHex() + " (" + c.subject() + ") expires in " + left.toDays() + " days")
                        .detail("rule", x.name()).detail("serial", c.serialHex()).detail("subject", c.subject())
                        .detail("notAfter", c.notAfter());
                c.deviceId().ifPresent(b::device);
                sink.emit(b.build());
                fired++;
            }
        }
        return fired;
    }

    static String groupKey(List<String> groupBy, SecurityEvent e) {
        if (groupBy.isEmpty()) return "";
        List<String> parts = new ArrayList<>(groupBy.size());
        for (String g : groupBy) {
            String v = switch (g) {
                case "device" -> e.deviceId().orElse("");
                case "actor" -> e.actor();
                case "source" -> e.sourceModule();
                case "activity" -> e.activity();
                default -> e.details().getOrDefault(g.substring("details.".length()), "");
            };
            parts.add(g + "=" + v);
        }
        return String.join(",", parts);
    }

    /** The network of an IP literal as {@code a.b.c.0/24}; null when the text is not an IP literal (never resolved). */
    static String network(String address, int v4Prefix, int v6Prefix) {
        String a = address.strip();
        if (a.startsWith("[") && a.contains("]")) a = a.substring(1, a.indexOf(']'));
        else if (a.indexOf(':') == a.lastIndexOf(':') && a.contains(":") && a.contains(".")) a = a.substring(0, a.indexOf(':')); // v4:port
        if (!IP_LITERAL.matcher(a).matches()) return null;
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(a).getAddress();
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
        int prefix = bytes.length == 4 ? v4Prefix : v6Prefix;
        for (int i = 0; i < bytes.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            bytes[i] &= (byte) (keep == 0 ? 0 : 0xFF << (8 - keep));
        }
        try {
            return InetAddress.getByAddress(bytes).getHostAddress() + "/" + prefix;
        } catch (UnknownHostException impossible) {
            return null;
        }
    }

    private static String format(Duration d) {
        return d.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
    }
}
