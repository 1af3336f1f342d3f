package dev.holdfast.events.export;

import dev.holdfast.events.StoredEvent;
import dev.holdfast.events.ocsf.OcsfJson;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * OCSF JSON Lines in a file, rotated by size: when the file would exceed {@code maxBytes} it is
 * renamed to {@code NAME.1} (older ones shift to {@code .2} ... {@code .keep}, the oldest is
 * deleted) and a new file starts. Each batch is forced to disk before it counts as delivered, so a
 * crash re-appends at most the batch in flight.
 */
public final class JsonLinesFileExporter implements Exporter {
    private final Path file;
    private final long maxBytes;
    private final int keep;
    private FileChannel channel;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(1 << 16);

    public JsonLinesFileExporter(Path file, long maxBytes, int keep) {
        if (maxBytes < 1024) throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: >= 1024)");
        if (keep < 1 || keep > 1000) throw new IllegalArgumentException("keep: " + keep + " (expected: 1..1000)");
        this.file = file;
        this.maxBytes = maxBytes;
        this.keep = keep;
    }

    @Override
    public long send(List<StoredEvent> batch) throws IOException {
        if (channel == null) open();
        for (StoredEvent e : batch) {
            buffer.reset();
            OcsfJson.write(e, buffer);
            buffer.write('\n');
            if (channel.size() > 0 && channel.size() + buffer.size() > maxBytes) {
                channel.force(false);
                rotate();
            }
            ByteBuffer bytes = ByteBuffer.wrap(buffer.toByteArray());
            while (bytes.hasRemaining()) channel.write(bytes);
        }
        channel.force(false);
        return batch.get(batch.size() - 1).sequence();
    }

    private void open() throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    private void rotate() throws IOException {
        channel.close();
        channel = null;
        Files.deleteIfExists(sibling(keep));
        for (int i = keep - 1; i >= 1; i--) {
            Path from = sibling(i);
            if (Files.exists(from)) Files.move(from, sibling(i + 1), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(file, sibling(1), StandardCopyOption.REPLACE_EXISTING);
        open();
    }

    private Path sibling(int n) {
        return file.resolveSibling(file.getFileName() + "." + n);
    }

    @Override
    public void reset() {
        close();
    }

    @Override
    public void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the next send reopens
            }
            channel = null;
        }
    }

    @Override
    public String toString() {
        return "file:" + file;
    }
}
