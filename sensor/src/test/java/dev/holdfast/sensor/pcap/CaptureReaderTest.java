package dev.holdfast.sensor.pcap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class CaptureReaderTest {
    record Read(int linkType, int iface, long ts, int length, int firstByte) {
    }

    static List<Read> readAll(byte[] file, CaptureStats[] stats) throws IOException {
        List<Read> out = new ArrayList<>();
        try (CaptureReader r = Captures.open(new ByteArrayInputStream(file))) {
            Frame f = new Frame();
            while (r.next(f)) out.add(new Read(f.linkType, f.interfaceId, f.timestampNanos, f.capturedLength, f.data[f.offset] & 0xFF));
            stats[0] = r.stats();
        }
        return out;
    }

    static byte[] pcap(ByteOrder order, boolean nanos, int linkType, int frames) {
        ByteBuffer b = ByteBuffer.allocate(24 + frames * (16 + 20)).order(order);
        b.putInt(nanos ? 0xa1b23c4d : 0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(linkType);
        for (int i = 0; i < frames; i++) {
            b.putInt(1_700_000_000 + i).putInt(nanos ? 123_456_789 : 123_456).putInt(20).putInt(60);
            b.put((byte) (0x40 + i)).put(new byte[19]);
        }
        return b.array();
    }

    @Test
    void pcap_readsBothByteOrdersAndBothTimestampResolutions() throws IOException {
        for (ByteOrder order : List.of(ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN)) {
            for (boolean nanos : new boolean[]{false, true}) {
                CaptureStats[] s = new CaptureStats[1];
                List<Read> frames = readAll(pcap(order, nanos, 101, 3), s);
                assertThat(frames).as(order + " nanos=" + nanos).hasSize(3);
                assertThat(frames.get(1)).isEqualTo(new Read(101, 0, 1_700_000_001_123_456_789L - (nanos ? 0 : 789), 20, 0x41));
                assertThat(s[0].truncated + s[0].malformedRecords).isZero();
            }
        }
    }

    @Test
    void pcap_countsATruncatedLastRecordAndAnImpossibleLength() throws IOException {
        byte[] whole = pcap(ByteOrder.LITTLE_ENDIAN, false, 1, 3);
        CaptureStats[] s = new CaptureStats[1];
        assertThat(readAll(java.util.Arrays.copyOf(whole, whole.length - 5), s)).hasSize(2);
        assertThat(s[0].truncated).isEqualTo(1);
        byte[] bad = whole.clone();
        ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putInt(24 + 36 + 8, 0x7FFF_FFFF);
        assertThat(readAll(bad, s)).hasSize(1);
        assertThat(s[0].malformedRecords).isEqualTo(1);
        assertThat(s[0].stopReason).contains("exceeds the limit");
    }

    static byte[] block(ByteOrder order, int type, byte[] body) {
        int pad = (4 - body.length % 4) % 4;
        ByteBuffer b = ByteBuffer.allocate(12 + body.length + pad).order(order);
        b.putInt(type).putInt(12 + body.length + pad).put(body).put(new byte[pad]).putInt(12 + body.length + pad);
        return b.array();
    }

    static byte[] pcapng(ByteOrder order) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(block(order, 0x0A0D0D0A, ByteBuffer.allocate(16).order(order).putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1).array()));
        // interface 0: Ethernet, microseconds; interface 1: raw IP with if_tsresol 2^-10
        o.writeBytes(block(order, 1, ByteBuffer.allocate(8).order(order).putShort((short) 1).putShort((short) 0).putInt(65535).array()));
        o.writeBytes(block(order, 1, ByteBuffer.allocate(20).order(order).putShort((short) 101).putShort((short) 0).putInt(65535)
                .putShort((short) 9).putShort((short) 1).put((byte) 0x8A).put(new byte[3]).putShort((short) 0).putShort((short) 0).array()));
        o.writeBytes(block(order, 0x0BAD, new byte[8])); // an unknown block: skipped
        for (int iface = 0; iface < 2; iface++) {
            long ts = iface == 0 ? 1_700_000_000_000_000L : 1024L * 5 + 512; // 5.5 s at 2^-10
            ByteBuffer epb = ByteBuffer.allocate(20 + 10).order(order);
            epb.putInt(iface).putInt((int) (ts >>> 32)).putInt((int) ts).putInt(10).putInt(10).put((byte) (0x60 + iface)).put(new byte[9]);
            o.writeBytes(block(order, 6, epb.array()));
        }
        o.writeBytes(block(order, 3, ByteBuffer.allocate(4 + 6).order(order).putInt(6).put((byte) 0x77).put(new byte[5]).array()));
        return o.toByteArray();
    }

    @Test
    void pcapng_readsEitherByteOrderWithSeveralInterfacesLinkTypesAndResolutions() throws IOException {
        for (ByteOrder order : List.of(ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN)) {
            CaptureStats[] s = new CaptureStats[1];
            List<Read> frames = readAll(pcapng(order), s);
            assertThat(frames).as(order.toString()).containsExactly(
                    new Read(1, 0, 1_700_000_000_000_000_000L, 10, 0x60),
                    new Read(101, 1, 5_500_000_000L, 10, 0x61),
                    new Read(1, 0, 0, 6, 0x77));
            assertThat(s[0].skippedBlocks).isEqualTo(1);
            assertThat(s[0].stopReason).isNull();
        }
    }

    @Test
    void gzip_isRecognisedByContent() throws IOException {
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(z)) {
            g.write(pcapng(ByteOrder.LITTLE_ENDIAN));
        }
        assertThat(readAll(z.toByteArray(), new CaptureStats[1])).hasSize(3);
    }

    @Test
    void open_refusesWhatIsNoCapture() {
        assertThatThrownBy(() -> Captures.open(new ByteArrayInputStream("hello, not a capture file".getBytes())))
                .isInstanceOf(IOException.class).hasMessageContaining("not a pcap file");
        assertThatThrownBy(() -> Captures.open(new ByteArrayInputStream(new byte[2]))).isInstanceOf(IOException.class);
    }
}
