package dev.holdfast.registry;

/**
 * What a device can do for others. {@code gateway}: it may be the parent of other devices and act on
 * their behalf upstream (IoT Edge's {@code iotEdge} capability).
 */
public record Capabilities(boolean gateway) {
    public static final Capabilities NONE = new Capabilities(false);
    public static final Capabilities GATEWAY = new Capabilities(true);
}
