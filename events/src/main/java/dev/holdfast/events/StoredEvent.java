package dev.holdfast.events;

/** An event as read back from the log, with its append sequence number (the exporters' cursor). */
public record StoredEvent(long sequence, SecurityEvent event) {
}
