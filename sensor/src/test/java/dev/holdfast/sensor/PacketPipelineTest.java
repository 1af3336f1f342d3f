package dev.holdfast.sensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.sensor.dissect.Field;
import dev.holdfast.sensor.pcap.Frame;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class PacketPipelineTest {
    static byte[] dnsQuery(String name) {
        ByteBuffer b = ByteBuffer.allocate(12 + name.length() + 2 + 4);
        b.putShort((short) 7).putShort((short) 0x0100).putShort((short) 1).putShort((short) 0).putInt(0);
        for (String label : name.split("\\.")) {
            b.put((byte) label.length()).put(label.getBytes());
        }
        b.put((byte) 0).putShort((short) 1).putShort((short) 1);
        return b.array();
    }

    /** An Ethernet/802.1Q/IPv4 fragment carrying {@code part} at {@code offset} of a UDP datagram. */
    static byte[] fragment(byte[] datagram, int offset, int length, boolean more) {
        ByteBuffer b = ByteBuffer.allocate(14 + 4 + 20 + length);
        b.put(new byte[]{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) 0x8100).putShort((short) 42).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + length)).putShort((short) 0x1234)
                .putShort((short) ((more ? 0x2000 : 0) | (offset / 8))).put((byte) 64).put((byte) 17).putShort((short) 0)
                .putInt(0x0A000001).putInt(0x0A000035);
        b.put(datagram, offset, length);
        return b.array();
    }

    @Test
    void ipv4Fragments_areReassembledBeforeTheDissectorSeesThem() {
        String name = "a-rather-long-label-to-split." + "x".repeat(40) + ".plant.example";
        byte[] dns = dnsQuery(name);
        ByteBuffer udp = ByteBuffer.allocate(8 + dns.length);
        udp.putShort((short) 5353).putShort((short) 53).putShort((short) (8 + dns.length)).putShort((short) 0).put(dns);
        byte[] datagram = udp.array();
        RecordingListener rec = new RecordingListener();
        PacketPipeline pipeline = new PacketPipeline(rec, PacketPipeline.Limits.defaults());
        Frame f = new Frame();
        int cut = 48;
        // second fragment first: order must not matter
        for (byte[] frame : List.of(fragment(datagram, cut, datagram.length - cut, false), fragment(datagram, 0, cut, true))) {
            f.set(frame, 0, frame.length, frame.length, 0, 1);
            f.number++;
            pipeline.process(f);
        }
        assertThat(rec.values.get(Field.DNS_QUERY_NAME)).containsEntry(2L, List.of(name));
        assertThat(pipeline.stats().reassembledDatagrams).isEqualTo(1);
        assertThat(pipeline.stats().fragments).isEqualTo(2);
    }

    @Test
    void truncatedFrames_areCountedNotThrown() {
        RecordingListener rec = new RecordingListener();
        PacketPipeline pipeline = new PacketPipeline(rec, PacketPipeline.Limits.defaults());
        byte[] whole = fragment(new byte[64], 0, 64, false);
        Frame f = new Frame();
        for (int len = 0; len < whole.length; len++) {
            f.set(whole, 0, len, whole.length, 0, 1);
            pipeline.process(f);
        }
        assertThat(pipeline.stats().truncatedFrames + pipeline.stats().badTransportHeaders).isPositive();
        assertThat(pipeline.stats().dissectorErrors).isZero();
    }
}
