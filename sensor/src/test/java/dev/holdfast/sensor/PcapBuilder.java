package dev.holdfast.sensor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes classic pcap files of Ethernet/IPv4 frames for detection scenarios: TCP connections with
 * handshake and in-order sequence numbers, UDP datagrams and ARP. Checksums are left zero (the
 * sensor, like tshark by default, does not verify them).
 */
final class PcapBuilder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Map<String, long[]> seqs = new HashMap<>();
    long timeMicros;

    PcapBuilder(long startMicros) {
        timeMicros = startMicros;
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        out.writeBytes(h.array());
    }

    static long mac(int host) {
        return 0x02_00_00_00_00_00L | host;
    }

    static int ip(int host) {
        return (10 << 24) | host;
    }

    PcapBuilder advance(long micros) {
        timeMicros += micros;
        return this;
    }

    void frame(byte[] frame) {
        ByteBuffer r = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        r.putInt((int) (timeMicros / 1_000_000)).putInt((int) (timeMicros % 1_000_000)).putInt(frame.length).putInt(frame.length);
        out.writeBytes(r.array());
        out.writeBytes(frame);
        timeMicros += 100;
    }

    private static void putMac(ByteBuffer b, long mac) {
        for (int i = 5; i >= 0; i--) b.put((byte) (mac >>> (8 * i)));
    }

    byte[] ipv4(int srcHost, int dstHost, int protocol, byte[] l4) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + l4.length);
        putMac(b, mac(dstHost));
        putMac(b, mac(srcHost));
        b.putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4.length)).putShort((short) 1).putShort((short) 0x4000)
                .put((byte) 64).put((byte) protocol).putShort((short) 0).putInt(ip(srcHost)).putInt(ip(dstHost));
        b.put(l4);
        return b.array();
    }

    void tcp(int srcHost, int srcPort, int dstHost, int dstPort, int flags, byte[] payload) {
        String key = srcHost + ":" + srcPort + ">" + dstHost + ":" + dstPort;
        String back = dstHost + ":" + dstPort + ">" + srcHost + ":" + srcPort;
        long[] s = seqs.computeIfAbsent(key, k -> new long[]{1000 + Math.abs(k.hashCode() % 100000)});
        long[] r = seqs.computeIfAbsent(back, k -> new long[]{1000 + Math.abs(k.hashCode() % 100000)});
        ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
        b.putShort((short) srcPort).putShort((short) dstPort).putInt((int) s[0]).putInt((flags & 0x10) != 0 ? (int) r[0] : 0)
                .put((byte) 0x50).put((byte) flags).putShort((short) 65535).putShort((short) 0).putShort((short) 0).put(payload);
        s[0] += payload.length + ((flags & 0x03) != 0 ? 1 : 0);
        frame(ipv4(srcHost, dstHost, 6, b.array()));
    }

    /** A TCP connection: handshake, then each request answered by its response, then FIN. */
    void connection(int client, int clientPort, int server, int serverPort, byte[][] requests, byte[][] responses) {
        tcp(client, clientPort, server, serverPort, 0x02, new byte[0]);
        tcp(server, serverPort, client, clientPort, 0x12, new byte[0]);
        tcp(client, clientPort, server, serverPort, 0x10, new byte[0]);
        for (int i = 0; i < requests.length; i++) {
            tcp(client, clientPort, server, serverPort, 0x18, requests[i]);
            if (responses != null && i < responses.length && responses[i] != null) tcp(server, serverPort, client, clientPort, 0x18, responses[i]);
        }
        tcp(client, clientPort, server, serverPort, 0x11, new byte[0]);
        tcp(server, serverPort, client, clientPort, 0x11, new byte[0]);
    }

    /** A SYN answered by RST: a closed port. */
    void refused(int client, int clientPort, int server, int serverPort) {
        tcp(client, clientPort, server, serverPort, 0x02, new byte[0]);
        tcp(server, serverPort, client, clientPort, 0x14, new byte[0]);
    }

    void arpReply(int senderHost, long senderMac, int targetHost) {
        ByteBuffer b = ByteBuffer.allocate(42);
        putMac(b, mac(targetHost));
        putMac(b, senderMac);
        b.putShort((short) 0x0806).putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 2);
        putMac(b, senderMac);
        b.putInt(ip(senderHost));
        putMac(b, mac(targetHost));
        b.putInt(ip(targetHost));
        frame(b.array());
    }

    static byte[] modbus(int transaction, int unit, int function, int... data) {
        ByteBuffer b = ByteBuffer.allocate(8 + 2 * data.length);
        b.putShort((short) transaction).putShort((short) 0).putShort((short) (2 + 2 * data.length)).put((byte) unit).put((byte) function);
        for (int d : data) b.putShort((short) d);
        return b.array();
    }

    static byte[] mqttConnect(String clientId, String user, String password) {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        str(v, "MQTT");
        v.write(4);
        v.write((user != null ? 0x80 : 0) | (password != null ? 0x40 : 0) | 0x02);
        v.write(0);
        v.write(60);
        str(v, clientId);
        if (user != null) str(v, user);
        if (password != null) str(v, password);
        byte[] body = v.toByteArray();
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x10);
        p.write(body.length);
        p.writeBytes(body);
        return p.toByteArray();
    }

    private static void str(ByteArrayOutputStream o, String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        o.write(b.length >> 8);
        o.write(b.length & 0xFF);
        o.writeBytes(b);
    }

    /** A TLS ClientHello record offering exactly {@code version} (legacy_version, no supported_versions), with SNI. */
    static byte[] clientHello(int version, String sni) {
        byte[] name = sni.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        ByteBuffer ext = ByteBuffer.allocate(9 + name.length);
        ext.putShort((short) 0).putShort((short) (5 + name.length)).putShort((short) (3 + name.length)).put((byte) 0)
                .putShort((short) name.length).put(name);
        ByteBuffer body = ByteBuffer.allocate(2 + 32 + 1 + 2 + 4 + 2 + 2 + ext.capacity());
        body.putShort((short) version).put(new byte[32]).put((byte) 0).putShort((short) 4).putShort((short) 0x002F).putShort((short) 0x0035)
                .put((byte) 1).put((byte) 0).putShort((short) ext.capacity()).put(ext.array());
        return record(1, body.array());
    }

    static byte[] serverHello(int version) {
        ByteBuffer body = ByteBuffer.allocate(2 + 32 + 1 + 2 + 1);
        body.putShort((short) version).put(new byte[32]).put((byte) 0).putShort((short) 0x002F).put((byte) 0);
        return record(2, body.array());
    }

    private static byte[] record(int type, byte[] body) {
        ByteBuffer r = ByteBuffer.allocate(5 + 4 + body.length);
        r.put((byte) 0x16).putShort((short) 0x0301).putShort((short) (4 + body.length)).put((byte) type)
                .put((byte) 0).putShort((short) body.length).put(body);
        return r.array();
    }

    Path write(Path file) throws IOException {
        Files.write(file, out.toByteArray());
        return file;
    }
}
