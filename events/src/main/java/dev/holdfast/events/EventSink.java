package dev.holdfast.events;

/** Where modules send security events. The event log is the durable implementation. */
@FunctionalInterface
public interface EventSink {
    void emit(SecurityEvent event);
}
