package dev.holdfast.sensor.dissect;

import dev.holdfast.sensor.decode.Flow;
import dev.holdfast.sensor.decode.Packet;

/**
 * Where dissectors push what they found, as primitives and views: the bytes of a text value are
 * valid only during the call. {@code flow} is null for link-layer protocols (LLDP, CDP).
 */
public interface FieldSink {
    void number(Packet p, Flow flow, boolean fromClient, Field field, long value);

    void text(Packet p, Flow flow, boolean fromClient, Field field, byte[] b, int off, int len);

    /** A DER X.509 certificate seen in cleartext (TLS 1.2 and below); {@code index} 0 is the leaf. */
    default void certificate(Packet p, Flow flow, int index, byte[] b, int off, int len) {
    }

    /** A PDU the dissector could not parse; counted. */
    default void malformed(Packet p, Flow flow, AppProtocol protocol) {
    }
}
