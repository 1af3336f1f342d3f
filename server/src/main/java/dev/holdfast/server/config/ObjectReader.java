package dev.holdfast.server.config;

/**
 * Turns one mapping of a list-of-objects setting into a value. It reads fields through
 * {@link ObjectFields}, which reports each problem with the field's path; it returns null (or any
 * value: the loader discards it) when something was reported.
 */
@FunctionalInterface
interface ObjectReader<E> {
    E read(ObjectFields fields);
}
