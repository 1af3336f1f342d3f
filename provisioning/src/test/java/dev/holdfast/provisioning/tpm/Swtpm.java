package dev.holdfast.provisioning.tpm;

import dev.holdfast.testing.ExternalTool;
import dev.holdfast.testing.ProcessRun;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real software TPM 2.0 ({@code swtpm} in socket mode on loopback, fresh state per instance) and
 * the scripted device side ({@code src/test/resources/tpm/device.sh}, tpm2-tools) that talks to it.
 * Missing tools fail the test under {@code CI=true} (see {@link ExternalTool}).
 */
final class Swtpm implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path workDir;
    private final Path script;

    private Swtpm(Process process, int port, Path workDir, Path script) {
        this.process = process;
        this.port = port;
        this.workDir = workDir;
        this.script = script;
    }

    /** Starts a TPM whose state lives in {@code dir/state}; the device works in {@code dir/device}. */
    static Swtpm start(Path dir) throws IOException, InterruptedException {
        Path swtpm = ExternalTool.require("swtpm");
        for (String tool : List.of("tpm2_createek", "tpm2_createak", "tpm2_activatecredential", "tpm2_create", "tpm2_certify",
                "tpm2_send", "tpm2_sign", "tpm2_makecredential", "xxd")) {
            ExternalTool.require(tool);
        }
        Path state = Files.createDirectories(dir.resolve("state"));
        Path work = Files.createDirectories(dir.resolve("device"));
        Path script = script();
        // A free pair (port, port + 1) for the TPM and its control channel; bounded retries for races.
        for (int attempt = 0; attempt < 20; attempt++) {
            int port = freePortPair();
            Process p = new ProcessBuilder(swtpm.toString(), "socket", "--tpm2",
                    "--server", "type=tcp,port=" + port + ",bindaddr=127.0.0.1",
                    "--ctrl", "type=tcp,port=" + (port + 1) + ",bindaddr=127.0.0.1",
                    "--tpmstate", "dir=" + state, "--flags", "not-need-init,startup-clear")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("swtpm.log").toFile()).start();
            if (awaitListening(p, port)) return new Swtpm(p, port, work, script);
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        throw new AssertionError("swtpm did not start on a free loopback port in 20 attempts; see " + dir.resolve("swtpm.log"));
    }

    private static boolean awaitListening(Process p, int port) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            if (!p.isAlive()) return false;
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return true;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        return false;
    }

    private static int freePortPair() throws IOException {
        for (int i = 0; i < 50; i++) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            if (port >= 65535) continue;
            try (ServerSocket s = new ServerSocket(port + 1, 1, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free loopback port pair after 50 tries");
    }

    static Path script() {
        try {
            return Path.of(Swtpm.class.getResource("/tpm/device.sh").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    String tcti() {
        return "swtpm:host=127.0.0.1,port=" + port;
    }

    Path dir() {
        return workDir;
    }

    /** Runs {@code device.sh args...} in the device directory. */
    ProcessRun device(String... args) {
        List<String> cmd = new ArrayList<>(List.of("bash", script.toString()));
        cmd.addAll(List.of(args));
        return ProcessRun.run(workDir, cmd, Map.of("TPM2TOOLS_TCTI", tcti()), null, 120);
    }

    /** Runs a tpm2-tools command against this TPM in the device directory. */
    ProcessRun tool(String... args) {
        return ProcessRun.run(workDir, List.of(args), Map.of("TPM2TOOLS_TCTI", tcti()), null, 120);
    }

    byte[] read(String name) {
        try {
            return Files.readAllBytes(workDir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path write(String name, byte[] bytes) {
        try {
            return Files.write(workDir.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
