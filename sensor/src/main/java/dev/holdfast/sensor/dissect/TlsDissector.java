package dev.holdfast.sensor.dissect;

import dev.holdfast.sensor.decode.Flow;
import dev.holdfast.sensor.decode.Packet;
import dev.holdfast.sensor.pcap.Bytes;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * TLS records (RFC 8446 §5, RFC 5246): ClientHello (legacy version, highest supported version,
 * SNI, JA3 and JA4 fingerprints), ServerHello (negotiated version and cipher), and the certificate
 * chain while it is still in cleartext (TLS 1.2 and below). A record is parsed once complete;
 * after ChangeCipherSpec a direction is encrypted and only framed.
 */
public final class TlsDissector implements Dissector {
    private static final int MAX_RECORD = 18_432 + 5;
    private static final int ENCRYPTED = 1;
    private final byte[] text = new byte[8192];
    private int textLen;
    private final int[] ciphers = new int[512];
    private final int[] extensions = new int[256];
    private final int[] groups = new int[256];
    private final int[] sigAlgs = new int[256];
    private final MessageDigest md5, sha256;
    private final byte[] digest = new byte[64];

    public TlsDissector() {
        try {
            md5 = MessageDigest.getInstance("MD5");
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has MD5 and SHA-256", e);
        }
    }

    public static boolean looksLikeTls(byte[] b, int off, int len) {
        return len >= 3 && (b[off] & 0xFF) == 0x16 && (b[off + 1] & 0xFF) == 3 && (b[off + 2] & 0xFF) <= 4;
    }

    @Override
    public int dissect(Packet p, Flow flow, boolean fromClient, byte[] b, int off, int len, FieldSink sink) {
        int start = off, end = off + len;
        int slot = fromClient ? 2 : 3;
        while (end - off >= 5) {
            int type = b[off] & 0xFF;
            int length = Bytes.u16be(b, off + 3);
            if (type < 20 || type > 24 || (b[off + 1] & 0xFF) != 3 || length > MAX_RECORD) {
                sink.malformed(p, flow, AppProtocol.TLS);
                return len;
            }
            if (end - off < 5 + length) break;
            boolean encrypted = flow != null && (flow.state[slot] & ENCRYPTED) != 0;
            if (type == 20 && flow != null) flow.state[slot] |= ENCRYPTED;
            else if (type == 22 && !encrypted) handshakes(p, flow, fromClient, b, off + 5, off + 5 + length, sink);
            off += 5 + length;
        }
        return off - start;
    }

    private void handshakes(Packet p, Flow flow, boolean fromClient, byte[] b, int o, int end, FieldSink sink) {
        for (int i = 0; i < 16 && end - o >= 4; i++) {
            int type = b[o] & 0xFF;
            int n = Bytes.u24be(b, o + 1);
            if (n > end - o - 4) return; // spans records: not followed
            int body = o + 4;
            switch (type) {
                case 1 -> clientHello(p, flow, fromClient, b, body, body + n, sink);
                case 2 -> serverHello(p, flow, fromClient, b, body, body + n, sink);
                case 11 -> certificates(p, flow, b, body, body + n, sink);
                default -> { }
            }
            o = body + n;
        }
    }

    private static boolean grease(int v) {
        return (v & 0x0F0F) == 0x0A0A && (v >> 8) == (v & 0xFF);
    }

    private void clientHello(Packet p, Flow flow, boolean fromClient, byte[] b, int o, int end, FieldSink sink) {
        if (end - o < 38) return;
        int version = Bytes.u16be(b, o);
        sink.number(p, flow, fromClient, Field.TLS_HANDSHAKE_VERSION, version);
        int maxVersion = version;
        o += 34;
        o += 1 + (b[o] & 0xFF);
        if (end - o < 2) return;
        int cs = Bytes.u16be(b, o);
        o += 2;
        if (end - o < cs) return;
        int nc = 0;
        for (int i = 0; i + 1 < cs && nc < ciphers.length; i += 2) {
            int c = Bytes.u16be(b, o + i);
            if (!grease(c)) ciphers[nc++] = c;
        }
        o += cs;
        if (end - o < 1) return;
        o += 1 + (b[o] & 0xFF);
        int ne = 0, ng = 0, ns = 0;
        int pointFormatsAt = -1, pointFormatsLen = 0;
        int sniAt = -1, sniLen = 0;
        int alpnFirst = -1, alpnFirstLen = 0;
        if (end - o >= 2) {
            int extEnd = Math.min(end, o + 2 + Bytes.u16be(b, o));
            o += 2;
            while (extEnd - o >= 4) {
                int type = Bytes.u16be(b, o), n = Bytes.u16be(b, o + 2);
                int v = o + 4;
                if (v + n > extEnd) break;
                if (!grease(type) && ne < extensions.length) extensions[ne++] = type;
                switch (type) {
                    case 0 -> {
                        if (n >= 5 && (b[v + 2] & 0xFF) == 0) {
                            int l = Bytes.u16be(b, v + 3);
                            if (l <= n - 5) { sniAt = v + 5; sniLen = l; }
                        }
                    }
                    case 10 -> {
                        if (n >= 2) {
                            int l = Math.min(Bytes.u16be(b, v), n - 2);
                            for (int i = 0; i + 1 < l && ng < groups.length; i += 2) {
                                int g = Bytes.u16be(b, v + 2 + i);
                                if (!grease(g)) groups[ng++] = g;
                            }
                        }
                    }
                    case 11 -> { if (n >= 1) { pointFormatsAt = v + 1; pointFormatsLen = Math.min(b[v] & 0xFF, n - 1); } }
                    case 13 -> {
                        if (n >= 2) {
                            int l = Math.min(Bytes.u16be(b, v), n - 2);
                            for (int i = 0; i + 1 < l && ns < sigAlgs.length; i += 2) sigAlgs[ns++] = Bytes.u16be(b, v + 2 + i);
                        }
                    }
                    case 16 -> { if (n >= 3 && (b[v + 2] & 0xFF) > 0 && 3 + (b[v + 2] & 0xFF) <= n) { alpnFirst = v + 3; alpnFirstLen = b[v + 2] & 0xFF; } }
                    case 43 -> {
                        if (n >= 1) {
                            int l = Math.min(b[v] & 0xFF, n - 1);
                            for (int i = 0; i + 1 < l; i += 2) {
                                int sv = Bytes.u16be(b, v + 1 + i);
                                if (!grease(sv) && sv > maxVersion && sv <= 0x0304) maxVersion = sv;
                            }
                        }
                    }
                    default -> { }
                }
                o = v + n;
            }
        }
        if (sniAt >= 0) sink.text(p, flow, fromClient, Field.TLS_SNI, b, sniAt, sniLen);
        sink.number(p, flow, fromClient, Field.TLS_CLIENT_MAX_VERSION, maxVersion);
        ja3(p, flow, fromClient, version, nc, ne, ng, b, pointFormatsAt, pointFormatsLen, sink);
        ja4(p, flow, fromClient, maxVersion, sniAt >= 0, nc, ne, ns, b, alpnFirst, alpnFirstLen, sink);
    }

    private void ja3(Packet p, Flow flow, boolean fromClient, int version, int nc, int ne, int ng, byte[] b, int pf, int pfl, FieldSink sink) {
        textLen = 0;
        dec(version);
        put(',');
        list(ciphers, nc);
        put(',');
        list(extensions, ne);
        put(',');
        list(groups, ng);
        put(',');
        for (int i = 0; i < pfl; i++) {
            if (i > 0) put('-');
            dec(b[pf + i] & 0xFF);
        }
        md5.update(text, 0, textLen);
        hex(md5, 16, Field.TLS_JA3, p, flow, fromClient, sink);
    }

    private void ja4(Packet p, Flow flow, boolean fromClient, int version, boolean sni, int nc, int ne, int ns, byte[] b,
                     int alpn, int alpnLen, FieldSink sink) {
        // JA4 (FoxIO): t + version + d/i + cipher count + extension count + ALPN first/last char,
        // then truncated SHA-256 of sorted ciphers, and of sorted extensions (minus SNI, ALPN) + signature algorithms.
        textLen = 0;
        put('t');
        String v = switch (version) {
            case 0x0304 -> "13"; case 0x0303 -> "12"; case 0x0302 -> "11"; case 0x0301 -> "10"; case 0x0300 -> "s3"; default -> "00";
        };
        put(v.charAt(0));
        put(v.charAt(1));
        put(sni ? 'd' : 'i');
        two(Math.min(nc, 99));
        two(Math.min(ne, 99));
        if (alpnLen > 0) {
            put((char) (b[alpn] & 0xFF));
            put((char) (b[alpn + alpnLen - 1] & 0xFF));
        } else {
            put('0');
            put('0');
        }
        put('_');
        java.util.Arrays.sort(ciphers, 0, nc);
        int hashStart = textLen;
        hexList(ciphers, nc);
        truncatedSha(hashStart);
        put('_');
        int extStart = textLen;
        int kept = 0;
        for (int i = 0; i < ne; i++) if (extensions[i] != 0 && extensions[i] != 16) extensions[kept++] = extensions[i];
        java.util.Arrays.sort(extensions, 0, kept);
        hexList(extensions, kept);
        if (ns > 0) {
            put('_');
            hexList(sigAlgs, ns);
        }
        truncatedSha(extStart);
        sink.text(p, flow, fromClient, Field.TLS_JA4, text, 0, textLen);
    }

    /** Replaces text[from..textLen) by the first 12 hex digits of its SHA-256 ("000000000000" when empty). */
    private void truncatedSha(int from) {
        if (textLen == from) {
            for (int i = 0; i < 12; i++) put('0');
            return;
        }
        sha256.update(text, from, textLen - from);
        try {
            sha256.digest(digest, 0, 32);
        } catch (java.security.DigestException e) {
            throw new IllegalStateException(e);
        }
        textLen = from;
        for (int i = 0; i < 6; i++) {
            put(Character.forDigit((digest[i] >> 4) & 15, 16));
            put(Character.forDigit(digest[i] & 15, 16));
        }
    }

    private void hexList(int[] values, int n) {
        for (int i = 0; i < n; i++) {
            if (i > 0) put(',');
            for (int s = 12; s >= 0; s -= 4) put(Character.forDigit((values[i] >> s) & 15, 16));
        }
    }

    private void serverHello(Packet p, Flow flow, boolean fromClient, byte[] b, int o, int end, FieldSink sink) {
        if (end - o < 38) return;
        int version = Bytes.u16be(b, o);
        sink.number(p, flow, fromClient, Field.TLS_HANDSHAKE_VERSION, version);
        int negotiated = version;
        o += 34;
        o += 1 + (b[o] & 0xFF);
        if (end - o < 3) return;
        sink.number(p, flow, fromClient, Field.TLS_CIPHER, Bytes.u16be(b, o));
        o += 3;
        if (end - o >= 2) {
            int extEnd = Math.min(end, o + 2 + Bytes.u16be(b, o));
            o += 2;
            while (extEnd - o >= 4) {
                int type = Bytes.u16be(b, o), n = Bytes.u16be(b, o + 2);
                if (o + 4 + n > extEnd) break;
                if (type == 43 && n == 2) negotiated = Bytes.u16be(b, o + 4);
                o += 4 + n;
            }
        }
        sink.number(p, flow, fromClient, Field.TLS_NEGOTIATED_VERSION, negotiated);
    }

    private static void certificates(Packet p, Flow flow, byte[] b, int o, int end, FieldSink sink) {
        if (end - o < 3) return;
        int listEnd = Math.min(end, o + 3 + Bytes.u24be(b, o));
        o += 3;
        for (int i = 0; i < 10 && listEnd - o >= 3; i++) {
            int n = Bytes.u24be(b, o);
            if (o + 3 + n > listEnd) return;
            sink.certificate(p, flow, i, b, o + 3, n);
            o += 3 + n;
        }
    }

    private void hex(MessageDigest md, int n, Field field, Packet p, Flow flow, boolean fromClient, FieldSink sink) {
        try {
            md.digest(digest, 0, n);
        } catch (java.security.DigestException e) {
            throw new IllegalStateException(e);
        }
        textLen = 0;
        for (int i = 0; i < n; i++) {
            put(Character.forDigit((digest[i] >> 4) & 15, 16));
            put(Character.forDigit(digest[i] & 15, 16));
        }
        sink.text(p, flow, fromClient, field, text, 0, textLen);
    }

    private void list(int[] values, int n) {
        for (int i = 0; i < n; i++) {
            if (i > 0) put('-');
            dec(values[i]);
        }
    }

    private void two(int v) {
        put((char) ('0' + v / 10));
        put((char) ('0' + v % 10));
    }

    private void dec(int v) {
        if (v >= 10) dec(v / 10);
        put((char) ('0' + v % 10));
    }

    private void put(char c) {
        if (textLen < text.length) text[textLen++] = (byte) c;
    }
}
