package dev.holdfast.hub.routing;

import dev.holdfast.hub.internal.JdbcTelemetryStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A JSON Lines endpoint. One writer thread takes what has queued up, appends it and forces it to disk
 * once (group commit); each line's stage completes after the force, which is when the hub may PUBACK.
 * The queue is bounded: when full, {@link #append} fails with {@link JdbcTelemetryStore.Overloaded}.
 */
final class JsonLinesFile implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JsonLinesFile.class);
    private static final int MAX_BATCH = 1000;

    private record Pending(byte[] line, CompletableFuture<Void> done) {
    }

    private final RouteEndpoint.JsonLines spec;
    private final int capacity;
    private final BlockingQueue<Pending> queue;
    private final Thread writer;
    private volatile boolean running = true;
    private FileChannel channel;
    private long size;

    JsonLinesFile(String route, RouteEndpoint.JsonLines spec, int capacity) {
        this.spec = spec;
        this.capacity = capacity;
        this.queue = new ArrayBlockingQueue<>(capacity);
        try {
            Path parent = spec.path().toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            open();
        } catch (IOException e) {
            throw new IllegalStateException("route '" + route + "': cannot open " + spec.path() + ": " + e.getMessage(), e);
        }
        this.writer = Thread.ofPlatform().name("hub-route-" + route).daemon().start(this::run);
    }

    private void open() throws IOException {
        channel = FileChannel.open(spec.path(), StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        size = channel.size();
    }

    CompletionStage<Void> append(byte[] json) {
        if (!running) return CompletableFuture.failedFuture(new IllegalStateException("JSON Lines file " + spec.path() + " is closed"));
        byte[] line = new byte[json.length + 1];
        System.arraycopy(json, 0, line, 0, json.length);
        line[json.length] = '\n';
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!queue.offer(new Pending(line, done))) return CompletableFuture.failedFuture(new JdbcTelemetryStore.Overloaded(capacity));
        return done;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                for (Pending p : batch) {
                    if (size > 0 && size + p.line.length > spec.maxBytes()) rotate();
                    ByteBuffer b = ByteBuffer.wrap(p.line);
                    while (b.hasRemaining()) channel.write(b);
                    size += p.line.length;
                }
                channel.force(false);
                for (Pending p : batch) p.done.complete(null);
            } catch (InterruptedException e) {
                if (!running) break;
            } catch (IOException | RuntimeException e) {
                log.error("JSON Lines file {}: write of {} lines failed", spec.path(), batch.size(), e);
                for (Pending p : batch) p.done.completeExceptionally(e);
            }
            batch.clear();
        }
        Pending p;
        while ((p = queue.poll()) != null) p.done.completeExceptionally(new IllegalStateException("JSON Lines file closed"));
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing after the last force: nothing left to lose
        }
    }

    /** path.keep is dropped, path.N becomes path.N+1, path becomes path.1, and a new path starts. */
    private void rotate() throws IOException {
        channel.force(false);
        channel.close();
        Path p = spec.path();
        Files.deleteIfExists(sibling(p, spec.keep()));
        for (int i = spec.keep() - 1; i >= 1; i--) {
            if (Files.exists(sibling(p, i))) Files.move(sibling(p, i), sibling(p, i + 1), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(p, sibling(p, 1), StandardCopyOption.REPLACE_EXISTING);
        open();
    }

    static Path sibling(Path p, int n) {
        return p.resolveSibling(p.getFileName() + "." + n);
    }

    @Override
    public void close() {
        running = false;
        try {
            writer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
