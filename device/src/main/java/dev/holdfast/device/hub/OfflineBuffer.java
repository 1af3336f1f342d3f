package dev.holdfast.device.hub;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Telemetry accepted by the application and not yet acknowledged by the hub (QoS 1 PUBACK), in
 * order. Entries stay until their PUBACK arrives, across any number of reconnections, and are sent
 * again after each reconnection: delivery is at least once. The buffer is bounded; when it is full
 * the {@link OverflowPolicy} decides, and every refused or evicted message is counted.
 *
 * <p>Thread-safe; the client calls it from the application's threads and from the event loop.
 */
public final class OfflineBuffer {
    /** One message; {@code generation} is the connection it was last sent on (0 = never sent). */
    public static final class Entry {
        final String topic;
        final byte[] payload;
        final CompletableFuture<Void> acknowledged = new CompletableFuture<>();
        long generation;

        Entry(String topic, byte[] payload) {
            this.topic = topic;
            this.payload = payload;
        }

        public CompletableFuture<Void> acknowledged() {
            return acknowledged;
        }
    }

    private final int capacity;
    private final OverflowPolicy policy;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private long overflowed;

    public OfflineBuffer(int capacity, OverflowPolicy policy) {
        // MQTT packet identifiers are 16 bits: more unacknowledged messages than that cannot be in flight.
        if (capacity < 1 || capacity > 60_000) throw new IllegalArgumentException("capacity: " + capacity + " (expected: 1..60000)");
        this.capacity = capacity;
        this.policy = policy;
    }

    /** Adds a message; when the buffer is full, the policy decides and the loser's future fails. */
    public Entry add(String topic, byte[] payload) {
        Entry e = new Entry(topic, payload);
        Entry evicted = null;
        synchronized (this) {
            if (entries.size() >= capacity) {
                overflowed++;
                if (policy == OverflowPolicy.REJECT_NEW) {
                    e.acknowledged.completeExceptionally(new BufferOverflowException("offline buffer full (" + capacity + " messages); message refused"));
                    return e;
                }
                evicted = entries.pollFirst();
            }
            entries.addLast(e);
        }
        if (evicted != null) {
            evicted.acknowledged.completeExceptionally(new BufferOverflowException("offline buffer full (" + capacity + " messages); oldest message dropped"));
        }
        return e;
    }

    /** The hub acknowledged {@code e}: forget it and complete its future. */
    public void acknowledged(Entry e) {
        synchronized (this) {
            entries.remove(e);
        }
        e.acknowledged.complete(null);
    }

    /** Marks and returns, oldest first, the entries not yet sent on connection {@code generation}. */
    public List<Entry> unsentOn(long generation) {
        List<Entry> out = new ArrayList<>();
        synchronized (this) {
            for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
                Entry e = it.next();
                if (e.generation != generation) {
                    e.generation = generation;
                    out.add(e);
                }
            }
        }
        return out;
    }

    /** Fails every entry (the client is closing for good). */
    public void failAll(Throwable cause) {
        List<Entry> all;
        synchronized (this) {
            all = new ArrayList<>(entries);
            entries.clear();
        }
        all.forEach(e -> e.acknowledged.completeExceptionally(cause));
    }

    public synchronized int size() {
        return entries.size();
    }

    public int capacity() {
        return capacity;
    }

    /** Messages refused or evicted because the buffer was full, since creation. */
    public synchronized long overflowed() {
        return overflowed;
    }
}
