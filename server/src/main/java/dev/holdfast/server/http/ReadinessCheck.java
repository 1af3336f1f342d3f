package dev.holdfast.server.http;

import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * One condition for {@code /readyz}: the server is ready to take traffic when every check passes.
 * Checks run on every probe, one after the other, so each must be quick (well under a second) and
 * must not block on the network for long; a check that throws counts as failed.
 */
public interface ReadinessCheck {
    /** Short stable name shown in {@code /readyz} ({@code database}, {@code ca}). */
    String name();

    /** Empty when ready; otherwise why not, in a few words, without secrets. */
    Optional<String> check();

    /** A check that passes while {@code ready} returns true. */
    static ReadinessCheck of(String name, BooleanSupplier ready) {
        if (name == null || !name.matches("[a-z][a-z0-9_-]{0,31}")) {
            throw new IllegalArgumentException("name: " + name + " (expected: [a-z][a-z0-9_-]*, at most 32 characters)");
        }
        return new ReadinessCheck() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Optional<String> check() {
                return ready.getAsBoolean() ? Optional.empty() : Optional.of("not ready");
            }
        };
    }
}
