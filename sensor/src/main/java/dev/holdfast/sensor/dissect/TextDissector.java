package dev.holdfast.sensor.dissect;

import dev.holdfast.sensor.decode.Flow;
import dev.holdfast.sensor.decode.Packet;

/**
 * Line-oriented cleartext protocols, one segment at a time (no framing needed): HTTP/1.x request
 * and response headers (User-Agent, Server, Host, Basic credentials), SSDP (HTTP over UDP), SSH
 * identification strings (RFC 4253 §4.2), FTP USER/PASS (RFC 959) and Telnet data.
 */
public final class TextDissector implements Dissector {
    private static final int MAX_LINES = 64;
    private final AppProtocol protocol;
    private final byte[] decoded = new byte[512];

    public TextDissector(AppProtocol protocol) {
        this.protocol = protocol;
    }

    public static boolean looksLikeHttp(byte[] b, int off, int len) {
        return startsWith(b, off, len, "GET ") || startsWith(b, off, len, "POST ") || startsWith(b, off, len, "PUT ")
                || startsWith(b, off, len, "HEAD ") || startsWith(b, off, len, "HTTP/1.") || startsWith(b, off, len, "DELETE ")
                || startsWith(b, off, len, "OPTIONS ") || startsWith(b, off, len, "PATCH ");
    }

    public static boolean startsWith(byte[] b, int off, int len, String prefix) {
        if (len < prefix.length()) return false;
        for (int i = 0; i < prefix.length(); i++) {
            int c = b[off + i] & 0xFF, e = prefix.charAt(i);
            if (c != e && !(c >= 'a' && c <= 'z' && c - 32 == e)) return false;
        }
        return true;
    }

    @Override
    public int dissect(Packet p, Flow flow, boolean fromClient, byte[] b, int off, int len, FieldSink sink) {
        int end = off + len;
        switch (protocol) {
            case SSH -> {
                if (startsWith(b, off, len, "SSH-")) sink.text(p, flow, fromClient, Field.SSH_BANNER, b, off, lineLength(b, off, end));
            }
            case FTP -> {
                if (!fromClient) return len;
                if (startsWith(b, off, len, "USER ")) sink.text(p, flow, true, Field.FTP_USER, b, off + 5, lineLength(b, off + 5, end));
                else if (startsWith(b, off, len, "PASS ")) sink.text(p, flow, true, Field.FTP_PASSWORD, b, off + 5, lineLength(b, off + 5, end));
            }
            case TELNET -> { if (len > 0) sink.number(p, flow, fromClient, Field.TELNET_DATA, len); }
            case HTTP, SSDP -> headers(p, flow, fromClient, b, off, end, sink);
            default -> { }
        }
        return len;
    }

    private static int lineLength(byte[] b, int o, int end) {
        int i = o;
        while (i < end && b[i] != '\r' && b[i] != '\n' && i - o < 255) i++;
        return i - o;
    }

    private void headers(Packet p, Flow flow, boolean fromClient, byte[] b, int o, int end, FieldSink sink) {
        if (!looksLikeHttp(b, o, end - o) && !startsWith(b, o, end - o, "NOTIFY ") && !startsWith(b, o, end - o, "M-SEARCH ")) return;
        for (int line = 0; line < MAX_LINES && o < end; line++) {
            int n = lineLength(b, o, end);
            if (n == 0) return; // end of headers
            if (line > 0) {
                if (startsWith(b, o, n, "User-Agent:")) sink.text(p, flow, fromClient, Field.HTTP_USER_AGENT, b, trim(b, o + 11, o + n), o + n - trim(b, o + 11, o + n));
                else if (startsWith(b, o, n, "Server:")) sink.text(p, flow, fromClient, protocol == AppProtocol.SSDP ? Field.SSDP_SERVER : Field.HTTP_SERVER, b, trim(b, o + 7, o + n), o + n - trim(b, o + 7, o + n));
                else if (startsWith(b, o, n, "Host:")) sink.text(p, flow, fromClient, Field.HTTP_HOST, b, trim(b, o + 5, o + n), o + n - trim(b, o + 5, o + n));
                else if (startsWith(b, o, n, "Authorization: Basic ")) basic(p, flow, fromClient, b, o + 21, o + n, sink);
            }
            o += n;
            if (o < end && b[o] == '\r') o++;
            if (o < end && b[o] == '\n') o++;
        }
    }

    private static int trim(byte[] b, int o, int end) {
        while (o < end && b[o] == ' ') o++;
        return o;
    }

    private void basic(Packet p, Flow flow, boolean fromClient, byte[] b, int o, int end, FieldSink sink) {
        int n = 0, acc = 0, bits = 0;
        for (int i = o; i < end && n < decoded.length; i++) {
            int c = b[i] & 0xFF, v;
            if (c >= 'A' && c <= 'Z') v = c - 'A';
            else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
            else if (c >= '0' && c <= '9') v = c - '0' + 52;
            else if (c == '+') v = 62;
            else if (c == '/') v = 63;
            else break;
            acc = (acc << 6) | v;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                decoded[n++] = (byte) (acc >> bits);
            }
        }
        int colon = 0;
        while (colon < n && decoded[colon] != ':') colon++;
        sink.text(p, flow, fromClient, Field.HTTP_BASIC_USER, decoded, 0, colon);
        if (colon < n) sink.text(p, flow, fromClient, Field.HTTP_BASIC_PASSWORD, decoded, colon + 1, n - colon - 1);
        java.util.Arrays.fill(decoded, (byte) 0);
    }
}
