package dev.holdfast.bench.sensor;

import dev.holdfast.sensor.pcap.CaptureReader;
import dev.holdfast.sensor.pcap.Captures;
import dev.holdfast.sensor.pcap.Frame;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Builds a large pcap for the sensor benchmark by mixing the shared test captures (Ethernet ones)
 * with generated Modbus/TCP and MQTT traffic, copy after copy, re-addressing each copy (the third
 * IPv4 octet and the low MAC byte are XORed with the copy number) so flows and assets multiply
 * like on a real site instead of repeating.
 */
public final class CaptureMixer {
    private CaptureMixer() {
    }

    public static void main(String[] args) throws IOException {
        Path shared = Path.of(args.length > 0 ? args[0] : "../shared/testdata/pcap");
        Path out = Path.of(args.length > 1 ? args[1] : "/tmp/holdfast-sensor-bench.pcap");
        long target = args.length > 2 ? Long.parseLong(args[2]) : (1L << 30) + (64L << 20);
        System.out.println("wrote " + build(shared, out, target) + " bytes to " + out);
    }

    static List<byte[]> frames(Path shared) throws IOException {
        List<byte[]> frames = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(shared)) {
            files = s.filter(p -> p.toString().matches(".*\\.pcap(ng)?$")).sorted().toList();
        }
        for (Path p : files) {
            try (CaptureReader r = Captures.open(p)) {
                Frame f = new Frame();
                while (r.next(f)) {
                    if (f.linkType != 1) continue;
                    byte[] b = new byte[f.capturedLength];
                    System.arraycopy(f.data, f.offset, b, 0, b.length);
                    frames.add(b);
                }
            }
        }
        frames.addAll(generated());
        return frames;
    }

    /** Modbus polling and MQTT publishing between generated hosts, as whole frames. */
    static List<byte[]> generated() {
        List<byte[]> g = new ArrayList<>();
        long seqC = 1000, seqS = 5000;
        for (int i = 0; i < 20_000; i++) {
            byte[] req = {(byte) (i >> 8), (byte) i, 0, 0, 0, 6, 1, 3, 0, (byte) (i % 100), 0, 10};
            byte[] rsp = new byte[9 + 20];
            rsp[0] = (byte) (i >> 8); rsp[1] = (byte) i; rsp[5] = 23; rsp[6] = 1; rsp[7] = 3; rsp[8] = 20;
            g.add(tcp(0x0A0A0001, 0x0A0A0002, 40000, 502, seqC, seqS, req));
            seqC += req.length;
            g.add(tcp(0x0A0A0002, 0x0A0A0001, 502, 40000, seqS, seqC, rsp));
            seqS += rsp.length;
        }
        long mc = 100;
        for (int i = 0; i < 10_000; i++) {
            byte[] topic = ("plant/line" + (i % 7) + "/power").getBytes();
            byte[] pub = new byte[4 + topic.length + 8];
            pub[0] = 0x30; pub[1] = (byte) (2 + topic.length + 8); pub[3] = (byte) topic.length;
            System.arraycopy(topic, 0, pub, 4, topic.length);
            g.add(tcp(0x0A0A0003, 0x0A0A0004, 41000, 1883, mc, 1, pub));
            mc += pub.length;
        }
        return g;
    }

    static byte[] tcp(int src, int dst, int sport, int dport, long seq, long ack, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 20 + payload.length);
        b.putShort((short) 0x0200).putInt(dst).putShort((short) 0x0200).putInt(src).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (40 + payload.length)).putShort((short) 0).putShort((short) 0x4000)
                .put((byte) 64).put((byte) 6).putShort((short) 0).putInt(src).putInt(dst);
        b.putShort((short) sport).putShort((short) dport).putInt((int) seq).putInt((int) ack).put((byte) 0x50).put((byte) 0x18)
                .putShort((short) 65535).putInt(0).put(payload);
        return b.array();
    }

    public static long build(Path shared, Path out, long targetBytes) throws IOException {
        List<byte[]> frames = frames(shared);
        long written = 24;
        long ts = 1_700_000_000_000_000L;
        ByteBuffer rec = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(out), 1 << 20)) {
            ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262144).putInt(1);
            o.write(h.array());
            for (int copy = 0; written < targetBytes; copy++) {
                for (byte[] f : frames) {
                    byte[] c = f.clone();
                    readdress(c, copy);
                    rec.clear();
                    ts += 20;
                    rec.putInt((int) (ts / 1_000_000)).putInt((int) (ts % 1_000_000)).putInt(c.length).putInt(c.length);
                    o.write(rec.array());
                    o.write(c);
                    written += 16 + c.length;
                }
            }
        }
        return written;
    }

    static void readdress(byte[] f, int copy) {
        if (f.length < 14) return;
        int k = copy & 0xFF;
        f[5] ^= (byte) k;
        f[11] ^= (byte) k;
        int type = ((f[12] & 0xFF) << 8) | (f[13] & 0xFF);
        if (type == 0x0800 && f.length >= 34) {
            f[14 + 12 + 2] ^= (byte) k;
            f[14 + 16 + 2] ^= (byte) k;
        }
    }
}
