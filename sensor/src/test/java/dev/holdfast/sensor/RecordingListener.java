package dev.holdfast.sensor;

import dev.holdfast.sensor.decode.Flow;
import dev.holdfast.sensor.decode.Packet;
import dev.holdfast.sensor.dissect.AppProtocol;
import dev.holdfast.sensor.dissect.Field;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Records every field with its frame number, as strings, for comparison with tshark. */
final class RecordingListener implements PacketPipeline.Listener {
    final Map<Field, Map<Long, List<String>>> values = new EnumMap<>(Field.class);
    long malformed;
    long packets;

    @Override
    public void number(Packet p, Flow flow, boolean fromClient, Field field, long value) {
        add(p, field, Long.toString(value));
    }

    @Override
    public void text(Packet p, Flow flow, boolean fromClient, Field field, byte[] b, int off, int len) {
        add(p, field, new String(b, off, len, StandardCharsets.UTF_8));
    }

    private void add(Packet p, Field field, String v) {
        values.computeIfAbsent(field, k -> new TreeMap<>()).computeIfAbsent(p.number, k -> new ArrayList<>()).add(v);
    }

    @Override
    public void malformed(Packet p, Flow flow, AppProtocol protocol) {
        malformed++;
    }

    @Override
    public void packet(Packet p, Flow flow, boolean fromClient, boolean newFlow) {
        packets++;
    }

    @Override
    public void arp(Packet p, int operation, long senderMac, int senderIp, long targetMac, int targetIp) {
    }

    @Override
    public void flowEnded(Flow flow) {
    }
}
