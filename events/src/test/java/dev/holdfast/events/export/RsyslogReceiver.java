package dev.holdfast.events.export;

import dev.holdfast.testing.ExternalTool;
import dev.holdfast.testing.ProcessRun;
import dev.holdfast.testing.TestCertificates;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real rsyslogd as a TLS syslog collector: imtcp with the GnuTLS stream driver (RFC 5425,
 * octet-counted frames), writing each received message's raw text as one line of a file. Runs in
 * the foreground as the current user with its own work directory, so several can run at once.
 */
final class RsyslogReceiver implements AutoCloseable {
    final Path dir;
    final Path output;
    final int port;
    private final Path conf;
    private final Path pidFile;
    private final Path rsyslogd;
    private Process process;

    RsyslogReceiver(Path dir, TestCertificates.Root root) throws IOException {
        this.rsyslogd = ExternalTool.require("rsyslogd", "/usr/sbin/rsyslogd");
        Path lib = Path.of("/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so");
        if (!Files.exists(lib)) ExternalTool.require("lmnsd_gtls.so (package rsyslog-gnutls)", lib.toString());
        this.dir = dir;
        Files.createDirectories(dir.resolve("work"));
        TestCertificates.Issued server = root.issueServer("localhost", "127.0.0.1");
        Path ca = TestCertificates.writePem(dir.resolve("ca.pem"), root.certificate());
        Path cert = TestCertificates.writePem(dir.resolve("cert.pem"), server.certificate());
        Path jdkKey = TestCertificates.writeKeyPem(dir.resolve("key.pkcs8.pem"), server.key());
        // GnuTLS refuses the JDK's PKCS#8 EC encoding (no curve inside the inner structure); openssl
        // rewrites it as a SEC1 key with its parameters, which GnuTLS reads.
        Path key = dir.resolve("key.pem");
        ProcessRun.run(dir, List.of(ExternalTool.require("openssl").toString(), "ec", "-in", jdkKey.toString(), "-out", key.toString()))
                .assertSuccess("openssl ec");
        this.output = dir.resolve("received.log");
        this.pidFile = dir.resolve("rsyslogd.pid");
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            this.port = s.getLocalPort();
        }
        this.conf = dir.resolve("rsyslog.conf");
        Files.writeString(conf, """
                global(workDirectory="%s" maxMessageSize="64k"
                       defaultNetstreamDriver="gtls"
                       defaultNetstreamDriverCAFile="%s"
                       defaultNetstreamDriverCertFile="%s"
                       defaultNetstreamDriverKeyFile="%s")
                module(load="imtcp" streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")
                input(type="imtcp" port="%d" address="127.0.0.1")
                template(name="raw" type="string" string="%%rawmsg%%\\n")
                action(type="omfile" file="%s" template="raw" asyncWriting="off" flushOnTXEnd="on")
                """.formatted(dir.resolve("work"), ca, cert, key, port, output), StandardCharsets.UTF_8);
    }

    void start() throws IOException, InterruptedException {
        Files.deleteIfExists(pidFile);
        process = new ProcessBuilder(rsyslogd.toString(), "-n", "-f", conf.toString(), "-i", pidFile.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("rsyslogd.out").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IllegalStateException("rsyslogd exited: " + Files.readString(dir.resolve("rsyslogd.out")));
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("rsyslogd did not listen on " + port + " within 20 s: " + diagnostics() + "\n" + Files.readString(conf));
    }

    /** SIGTERM, as a service manager stops it: rsyslog drains its queue to the file before exiting. */
    void stop() throws InterruptedException {
        if (process == null) return;
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        process = null;
    }

    List<String> lines() throws IOException {
        if (!Files.exists(output)) return List.of();
        return Files.readAllLines(output, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
    }

    String diagnostics() throws IOException {
        Path out = dir.resolve("rsyslogd.out");
        return Files.exists(out) ? Files.readString(out) : "";
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    static Duration startupAllowance() {
        return Duration.ofSeconds(20);
    }
}
