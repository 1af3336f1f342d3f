package dev.holdfast.device.hub;

/** What the offline buffer does with a new message when it is full. */
public enum OverflowPolicy {
    /** Evict the oldest unacknowledged message (its future fails with {@link BufferOverflowException}): fresh data wins. */
    DROP_OLDEST,
    /** Refuse the new message (its future fails at once): nothing already accepted is lost. */
    REJECT_NEW
}
