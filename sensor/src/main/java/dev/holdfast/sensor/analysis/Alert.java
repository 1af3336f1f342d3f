package dev.holdfast.sensor.analysis;

import dev.holdfast.events.EventClass;
import dev.holdfast.events.SecurityEvent;
import dev.holdfast.events.Severity;
import java.time.Instant;
import java.util.List;

/**
 * One detection: what was seen ({@link #observed}), the baseline or rule it broke
 * ({@link #baseline}), between which endpoints, and the timestamps and frame numbers of the
 * packets that showed it (at most {@link #MAX_EVIDENCE}).
 */
public record Alert(Kind kind, Severity severity, String source, String destination, String observed, String baseline,
                    List<Instant> packetTimes, List<Long> frames, String capture) {
    public static final int MAX_EVIDENCE = 8;

    public enum Kind {
        NEW_ASSET, NEW_FLOW, NEW_INDUSTRIAL_FUNCTION, PORT_SCAN, HOST_SCAN, ARP_SPOOFING, CLEARTEXT_CREDENTIALS,
        WEAK_TLS, WEAK_CERTIFICATE, VOLUME_ANOMALY
    }

    public Alert {
        packetTimes = List.copyOf(packetTimes);
        frames = List.copyOf(frames);
    }

    /** The alert as an OCSF Detection Finding for the event log and SIEM export. */
    public SecurityEvent toSecurityEvent() {
        SecurityEvent.Builder b = SecurityEvent.builder(EventClass.DETECTION_FINDING, "sensor." + kind.name().toLowerCase())
                .severity(severity).source("sensor").actor("sensor")
                .message(observed + " (" + baseline + ")")
                .detail("source", source).detail("destination", destination)
                .detail("frames", frames.toString()).detail("capture", capture);
        if (!packetTimes.isEmpty()) b.time(packetTimes.get(0));
        return b.build();
    }
}
