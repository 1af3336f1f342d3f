package dev.holdfast.device;

import dev.holdfast.testing.ExternalTool;
import dev.holdfast.testing.TestCertificates;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Mosquitto broker for tests: a TLS listener on a free loopback port that requires a client
 * certificate from the test root, with persistence in the temp dir so QoS 1 messages queued for
 * persistent sessions survive a restart (Mosquitto saves them when it stops on SIGTERM).
 */
public final class Mosquitto implements AutoCloseable {
    private final Path dir;
    private final Path config;
    private final int port;
    private final Path caPem;
    private Process process;

    private Mosquitto(Path dir, int port, Path config, Path caPem) {
        this.dir = dir;
        this.port = port;
        this.config = config;
        this.caPem = caPem;
    }

    /** Starts Mosquitto with a server certificate for 127.0.0.1 issued by {@code root}. */
    public static Mosquitto start(Path dir, TestCertificates.Root root) {
        return start(dir, root, List.of());
    }

    /** As {@link #start(Path, TestCertificates.Root)}, also accepting clients of {@code moreClientCas}. */
    public static Mosquitto start(Path dir, TestCertificates.Root root, List<X509Certificate> moreClientCas) {
        Path binary = ExternalTool.require("mosquitto", "/usr/sbin/mosquitto");
        try {
            Files.createDirectories(dir);
            TestCertificates.Issued server = root.issueServer("127.0.0.1", "localhost");
            List<X509Certificate> cas = new java.util.ArrayList<>(List.of(root.certificate()));
            cas.addAll(moreClientCas);
            Path ca = TestCertificates.writePem(dir.resolve("ca.pem"), cas.toArray(X509Certificate[]::new));
            Path cert = TestCertificates.writePem(dir.resolve("server.pem"), server.certificate());
            Path key = TestCertificates.writeKeyPem(dir.resolve("server.key"), server.key());
            int port = freePort();
            Path config = dir.resolve("mosquitto.conf");
            Files.writeString(config, String.join("\n",
                    // Run as root, Mosquitto drops to user 'mosquitto', who cannot read the test's temp dir: stay as we are.
                    "user " + System.getProperty("user.name"),
                    "per_listener_settings false",
                    "allow_anonymous true",
                    "persistence true",
                    "persistence_location " + dir + "/",
                    "autosave_interval 1",
                    "max_queued_messages 100000",
                    "log_dest file " + dir.resolve("mosquitto.log"),
                    "log_type error",
                    "log_type warning",
                    "log_type notice",
                    "listener " + port + " 127.0.0.1",
                    "cafile " + ca,
                    "certfile " + cert,
                    "keyfile " + key,
                    "require_certificate true",
                    "") + "\n");
            Mosquitto m = new Mosquitto(dir, port, config, ca);
            m.binary = binary;
            m.startProcess();
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path binary;

    private void startProcess() throws IOException {
        process = new ProcessBuilder(binary.toString(), "-c", config.toString()).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.out").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IllegalStateException("mosquitto exited with " + process.exitValue() + ": " + log());
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                sleep(50);
            }
        }
        throw new IllegalStateException("mosquitto did not listen on " + port + " within 10 s: " + log());
    }

    /** Stops (SIGTERM, so it saves its persistence file) and starts again on the same port. */
    public void restart(long downMillis) throws IOException {
        stop();
        sleep(downMillis);
        startProcess();
    }

    public void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public int port() {
        return port;
    }

    public Path caPem() {
        return caPem;
    }

    public String log() {
        try {
            Path f = dir.resolve("mosquitto.log");
            Path o = dir.resolve("mosquitto.out");
            return (Files.exists(f) ? Files.readString(f) : "") + (Files.exists(o) ? Files.readString(o) : "");
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Override
    public void close() {
        stop();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
