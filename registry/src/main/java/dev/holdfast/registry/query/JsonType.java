package dev.holdfast.registry.query;

/** The types of JSON values (RFC 8259 §3), as the query language distinguishes them. */
enum JsonType {
    NULL, BOOLEAN, NUMBER, STRING, OBJECT, ARRAY
}
