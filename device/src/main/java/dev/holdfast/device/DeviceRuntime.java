package dev.holdfast.device;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * What many device clients in one JVM share: one Netty event loop group for every MQTT connection
 * (a few threads for thousands of devices, never a thread per device) and a virtual-thread executor
 * for application callbacks and blocking work (HTTPS provisioning, EST), so a slow callback never
 * stalls the event loop. A single real device creates one with {@link #create()}; the simulator
 * shares one across its fleet. Close it after the clients that use it.
 */
public final class DeviceRuntime implements AutoCloseable {
    private final EventLoopGroup group;
    private final ExecutorService callbacks;

    private DeviceRuntime(int ioThreads) {
        this.group = new MultiThreadIoEventLoopGroup(ioThreads, new DefaultThreadFactory("holdfast-device-io", true), NioIoHandler.newFactory());
        this.callbacks = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("holdfast-device-cb-", 0).factory());
    }

    /** One event loop thread: plenty for one device, and for hundreds. */
    public static DeviceRuntime create() {
        return create(1);
    }

    public static DeviceRuntime create(int ioThreads) {
        if (ioThreads < 1 || ioThreads > 256) throw new IllegalArgumentException("ioThreads: " + ioThreads + " (expected: 1..256)");
        return new DeviceRuntime(ioThreads);
    }

    public EventLoopGroup eventLoops() {
        return group;
    }

    public ExecutorService callbacks() {
        return callbacks;
    }

    @Override
    public void close() {
        callbacks.shutdown();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        try {
            callbacks.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
