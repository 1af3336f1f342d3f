package dev.holdfast.registry;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Where a device is in its life. Only the transitions of this matrix are allowed; staying in the same
 * state is a no-op, never an error:
 *
 * <pre>
 * from \ to       registered provisioned active quarantined decommissioned
 * registered          -          yes        .         .            yes
 * provisioned         .           -        yes       yes           yes
 * active              .          yes        -        yes           yes
 * quarantined         .           .        yes        -            yes
 * decommissioned      .           .         .         .             -
 * </pre>
 *
 * <ul>
 *   <li>{@code registered}: known to the registry, no credentials issued yet.</li>
 *   <li>{@code provisioned}: has an operational identity and a hub; has not connected since. An active
 *       device that re-provisions (new key, new certificate, maybe a new hub) goes back here.</li>
 *   <li>{@code active}: in service.</li>
 *   <li>{@code quarantined}: may only reach the update and reported-state topics until released back
 *       to {@code active}; a device cannot be quarantined before it is provisioned.</li>
 *   <li>{@code decommissioned}: retired for good: terminal, and always {@link DeviceStatus#DISABLED}.
 *       A device that comes back gets a new registration.</li>
 * </ul>
 */
public enum LifecycleState {
    REGISTERED, PROVISIONED, ACTIVE, QUARANTINED, DECOMMISSIONED;

    /** The states this one may move to (not including itself). */
    public Set<LifecycleState> next() {
        return switch (this) {
            case REGISTERED -> EnumSet.of(PROVISIONED, DECOMMISSIONED);
            case PROVISIONED -> EnumSet.of(ACTIVE, QUARANTINED, DECOMMISSIONED);
            case ACTIVE -> EnumSet.of(PROVISIONED, QUARANTINED, DECOMMISSIONED);
            case QUARANTINED -> EnumSet.of(ACTIVE, DECOMMISSIONED);
            case DECOMMISSIONED -> EnumSet.noneOf(LifecycleState.class);
        };
    }

    /** True when nothing can follow this state. */
    public boolean isTerminal() {
        return next().isEmpty();
    }

    /** Decides a move from this state to {@code target}. */
    public Transition transitionTo(LifecycleState target) {
        if (target == this) return new Transition.Unchanged(this);
        if (next().contains(target)) return new Transition.Allowed(this, target);
        return new Transition.Forbidden(this, target, next());
    }

    /** The name on the wire and in the database, lower case. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static LifecycleState parse(String text) {
        for (LifecycleState s : values()) if (s.wireName().equals(text)) return s;
        throw RegistryRefusal.invalid("invalid-lifecycle", "lifecycle: '" + RegistryLimits.excerpt(text)
                + "' (expected: registered, provisioned, active, quarantined or decommissioned)").exception();
    }

    /** The outcome of asking for a lifecycle move. */
    public sealed interface Transition {
        /** The move is in the matrix. */
        record Allowed(LifecycleState from, LifecycleState to) implements Transition {
        }

        /** Asked for the state the device is already in: nothing to do, nothing to record. */
        record Unchanged(LifecycleState state) implements Transition {
        }

        /** The move is not in the matrix; {@code allowed} lists where {@code from} may go. */
        record Forbidden(LifecycleState from, LifecycleState to, Set<LifecycleState> allowed) implements Transition {
            public Forbidden {
                allowed = Set.copyOf(allowed);
            }

            /** {@code "lifecycle cannot go from decommissioned to active (decommissioned is terminal)"}. */
            public String explanation() {
                String options = allowed.isEmpty() ? from.wireName() + " is terminal"
                        : "from " + from.wireName() + " only to " + String.join(", ",
                        allowed.stream().sorted().map(LifecycleState::wireName).toList());
                return "lifecycle cannot go from " + from.wireName() + " to " + to.wireName() + " (" + options + ")";
            }
        }
    }
}
