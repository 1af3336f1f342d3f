package dev.holdfast.events;

/** A live subscription to the event log; close it to stop receiving events. */
public interface EventSubscription extends AutoCloseable {
    @Override
    void close();
}
