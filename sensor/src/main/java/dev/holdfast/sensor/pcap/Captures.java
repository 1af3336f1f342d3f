package dev.holdfast.sensor.pcap;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Opens a capture file or stream, recognising pcap, pcapng and gzip-compressed either by content. */
public final class Captures {
    private static final int BUFFER = 1 << 20;

    private Captures() {
    }

    public static CaptureReader open(Path file) throws IOException {
        return open(Files.newInputStream(file));
    }

    /** Takes ownership of {@code raw}: closing the reader closes it. Throws IOException if it is no capture. */
    public static CaptureReader open(InputStream raw) throws IOException {
        try {
            BufferedInputStream sniff = new BufferedInputStream(raw, 8192);
            sniff.mark(4);
            int b0 = sniff.read(), b1 = sniff.read();
            sniff.reset();
            InputStream in = (b0 == 0x1f && b1 == 0x8b) ? new GZIPInputStream(sniff, 65536) : sniff;
            BufferedInput buf = new BufferedInput(in, BUFFER);
            if (!buf.ensure(4)) throw new IOException("capture is shorter than 4 bytes");
            int magic = Bytes.i32be(buf.buf, buf.pos);
            if (magic == PcapngReader.SHB) return new PcapngReader(buf);
            return new PcapReader(buf);
        } catch (IOException | RuntimeException e) {
            raw.close();
            if (e instanceof IOException io) throw io;
            throw new IOException("capture cannot be opened: " + e, e);
        }
    }
}
