package dev.holdfast.server;

import dev.holdfast.server.config.HoldfastConfig;
import dev.holdfast.server.config.Settings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Starts a real server on loopback for tests. The port is chosen up front (not 0) because the CA
 * writes the server's URL into every certificate's CRL and OCSP pointers.
 */
public final class TestServers {
    private TestServers() {
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static HoldfastConfig loopbackConfig(int port) {
        return HoldfastConfig.defaults()
                .with(Settings.SERVER_HTTPS_BIND_ADDRESS, "127.0.0.1")
                .with(Settings.SERVER_HTTPS_PORT, port)
                .with(Settings.SERVER_PUBLIC_HOSTNAME, "127.0.0.1")
                .with(Settings.SERVER_SHUTDOWN_GRACE_PERIOD, Duration.ofSeconds(2))
                .with(Settings.HUB_MQTT_BIND_ADDRESS, "127.0.0.1")
                .with(Settings.HUB_MQTT_PORT, 0);
    }

    public static HoldfastServer start(Path dataDir) {
        return start(dataDir, loopbackConfig(freePort()));
    }

    public static HoldfastServer start(Path dataDir, HoldfastConfig config) {
        return start(dataDir, config, Map.of(Settings.CA_PASSPHRASE_ENV, "test-passphrase"));
    }

    public static HoldfastServer start(Path dataDir, HoldfastConfig config, Map<String, String> env) {
        return HoldfastServer.start(dataDir, config, env);
    }
}
