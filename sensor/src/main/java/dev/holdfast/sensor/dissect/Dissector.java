package dev.holdfast.sensor.dissect;

import dev.holdfast.sensor.decode.Flow;
import dev.holdfast.sensor.decode.Packet;

/**
 * Parses one protocol's bytes in place and reports fields to the sink. Never throws on any
 * input: bounds are checked against {@code off + len}.
 *
 * <p>For a TCP stream the bytes are the reassembled, not yet consumed bytes of one direction; the
 * return value is how many were consumed (whole PDUs); the rest is offered again with more data.
 * For datagrams and link-layer frames the return value is ignored.
 */
public interface Dissector {
    int dissect(Packet p, Flow flow, boolean fromClient, byte[] b, int off, int len, FieldSink sink);
}
