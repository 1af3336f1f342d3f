package dev.holdfast.events.export;

import dev.holdfast.events.SecurityEvent;
import dev.holdfast.events.StoredEvent;
import dev.holdfast.events.cef.CefFormat;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Syslog over TLS (RFC 5425) with octet-counting framing, one RFC 5424 message per event, CEF in the
 * MSG part.
 *
 * <p>Syslog has no acknowledgement: bytes written may still be lost in the collector's socket buffer
 * when it stops. An event is therefore confirmed only when it was written at least
 * {@code confirmDelay} ago and the connection is still open afterwards; a collector that closes with
 * unread data resets the connection, which shows as an error well within that delay. What is not
 * confirmed at a failure is sent again, so duplicates are bounded by the events written within
 * {@code confirmDelay} plus one batch (see {@code docs/events.md}).
 */
public final class SyslogTlsExporter implements Exporter {
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneOffset.UTC);
    private static final int MAX_MESSAGE = 64 * 1024;

    private final String host;
    private final int port;
    private final ExportTls tls;
    private final int facility;
    private final String hostname;
    private final Duration confirmDelay;
    private final Duration connectTimeout;
    private final CefFormat cef;
    private SSLSocket socket;
    private OutputStream out;
    private InputStream in;
    /** {sequence, nanoTime written}, oldest first. */
    private final ArrayDeque<long[]> unconfirmed = new ArrayDeque<>();
    private long lastLivenessCheck;
    private final StringBuilder scratch = new StringBuilder(1024);

    /**
     * @param facility     syslog facility 0..23 (10 authpriv, 13 log audit)
     * @param hostname     the HOSTNAME field: this server's name
     * @param confirmDelay how long a written event must survive on an open connection to count as delivered
     */
    public SyslogTlsExporter(String host, int port, ExportTls tls, int facility, String hostname, Duration confirmDelay,
                             Duration connectTimeout, String productVersion) {
        if (facility < 0 || facility > 23) throw new IllegalArgumentException("facility: " + facility + " (expected: 0..23)");
        this.host = host;
        this.port = port;
        this.tls = tls;
        this.facility = facility;
        this.hostname = hostname == null || hostname.isBlank() ? "-" : printable(hostname, 255);
        this.confirmDelay = confirmDelay;
        this.connectTimeout = connectTimeout;
        this.cef = new CefFormat(productVersion);
    }

    /** RFC 5424 §6.2.1: PRI = facility × 8 + severity. */
    static int syslogSeverity(dev.holdfast.events.Severity s) {
        return switch (s) {
            case FATAL -> 1;      // alert
            case CRITICAL -> 2;   // critical
            case HIGH -> 3;       // error
            case MEDIUM -> 4;     // warning
            case LOW -> 5;        // notice
            case INFORMATIONAL, UNKNOWN -> 6; // informational
        };
    }

    private void connect() throws IOException {
        SSLSocket s = (SSLSocket) tls.context().getSocketFactory().createSocket();
        try {
            s.connect(new InetSocketAddress(host, port), (int) connectTimeout.toMillis());
            SSLParameters p = tls.parameters();
            if (!Character.isDigit(host.charAt(0)) && !host.contains(":")) p.setServerNames(List.of(new SNIHostName(host)));
            s.setSSLParameters(p);
            s.setSoTimeout((int) connectTimeout.toMillis());
            s.startHandshake();
            s.setTcpNoDelay(true);
            s.setKeepAlive(true);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        socket = s;
        out = new BufferedOutputStream(s.getOutputStream(), 64 * 1024);
        in = s.getInputStream();
    }

    @Override
    public long send(List<StoredEvent> batch) throws IOException {
        if (socket == null) connect();
        for (StoredEvent e : batch) {
            byte[] frame = message(e).getBytes(StandardCharsets.UTF_8);
            // RFC 5425 §4.3: MSG-LEN SP SYSLOG-MSG
            out.write(Integer.toString(frame.length).getBytes(StandardCharsets.US_ASCII));
            out.write(' ');
            out.write(frame);
        }
        out.flush();
        long now = System.nanoTime();
        unconfirmed.add(new long[]{batch.get(batch.size() - 1).sequence(), now});
        return confirmIfDue(now, false);
    }

    @Override
    public long confirm() throws IOException {
        return confirmIfDue(System.nanoTime(), false);
    }

    @Override
    public long drain() throws IOException {
        if (socket == null || unconfirmed.isEmpty()) return 0;
        long wait = unconfirmed.peekLast()[1] + confirmDelay.toNanos() - System.nanoTime();
        if (wait > 0) {
            try {
                Thread.sleep(Duration.ofNanos(wait));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            }
        }
        return confirmIfDue(System.nanoTime(), true);
    }

    private long confirmIfDue(long now, boolean force) throws IOException {
        if (socket == null || unconfirmed.isEmpty()) return 0;
        long due = now - confirmDelay.toNanos();
        if (unconfirmed.peekFirst()[1] > due) return 0;
        // One liveness probe per 100 ms at most: it costs a read with a 1 ms timeout.
        if (!force && now - lastLivenessCheck < 100_000_000L) return 0;
        lastLivenessCheck = now;
        checkOpen();
        long upTo = 0;
        while (!unconfirmed.isEmpty() && unconfirmed.peekFirst()[1] <= due) upTo = unconfirmed.pollFirst()[0];
        return upTo;
    }

    /** A collector never sends on this connection, so a read that returns anything means it closed (or reset) it. */
    private void checkOpen() throws IOException {
        socket.setSoTimeout(1);
        try {
            int b = in.read();
            if (b < 0) throw new IOException("syslog collector " + host + ":" + port + " closed the connection");
            throw new IOException("syslog collector " + host + ":" + port + " sent unexpected data");
        } catch (SocketTimeoutException stillOpen) {
            // expected: nothing to read, the connection is up
        }
    }

    /** The RFC 5424 message: {@code <PRI>1 TIMESTAMP HOSTNAME holdfast - MSGID - CEF...}. */
    String message(StoredEvent stored) {
        SecurityEvent e = stored.event();
        StringBuilder b = scratch;
        b.setLength(0);
        b.append('<').append(facility * 8 + syslogSeverity(e.severity())).append(">1 ");
        TIMESTAMP.formatTo(e.time(), b);
        b.append(' ').append(hostname).append(" holdfast - ");
        b.append("OCSF").append(e.eventClass().classUid()).append(" - ");
        cef.append(stored, b);
        if (b.length() > MAX_MESSAGE) b.setLength(MAX_MESSAGE); // collectors' usual limit; the log keeps the whole event
        return b.toString();
    }

    /** RFC 5424 §6: header fields are PRINTUSASCII (33..126). */
    private static String printable(String s, int max) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < max; i++) {
            char c = s.charAt(i);
            b.append(c >= 33 && c <= 126 ? c : '_');
        }
        return b.toString();
    }

    @Override
    public void reset() {
        unconfirmed.clear();
        closeSocket();
    }

    @Override
    public void close() {
        closeSocket();
    }

    private void closeSocket() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing after a failure: nothing more to learn
            }
        }
        socket = null;
        out = null;
        in = null;
    }

    @Override
    public String toString() {
        return "syslog+tls://" + host + ":" + port;
    }

}
