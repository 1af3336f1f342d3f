package dev.holdfast.server.cli;

import dev.holdfast.server.HoldfastServer;
import dev.holdfast.server.Main;
import dev.holdfast.server.TestServers;
import dev.holdfast.testing.ExternalTool;
import dev.holdfast.testing.ProcessRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code holdfast ca} verbs as an operator types them, judged by openssl. */
class CaCliIT {
    @TempDir
    Path dir;

    private static CliRun cli(String... args) {
        return CliRun.of(args);
    }

    ProcessRun openssl(String... args) {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(ExternalTool.require("openssl").toString());
        cmd.addAll(List.of(args));
        return ProcessRun.run(dir, cmd, Map.of(), null, 60);
    }

    @Test
    void issueListRevokeAndCrl_throughTheCli() throws Exception {
        Path data = dir.resolve("data");
        try (HoldfastServer server = TestServers.start(data)) {
            String url = "https://127.0.0.1:" + server.httpsPort();
            openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "gw.key", "-out", "gw.csr",
                    "-subj", "/CN=ignored").assertSuccess("req");
            CliRun issued = cli("ca", "issue", "--server", url, "--data-dir", data.toString(), "--csr", dir.resolve("gw.csr").toString(),
                    "--profile", "gateway", "--cn", "gw-1", "--dns", "gw-1.plant3.example", "--out", dir.resolve("gw.pem").toString(), "--chain");
            assertThat(issued.exit()).as(issued.err()).isZero();
            assertThat(issued.err()).contains("issued serial");
            ProcessRun verify = openssl("verify", "-CAfile", data.resolve("bootstrap/trust-bundle.pem").toString(), "-untrusted", "gw.pem", "gw.pem");
            assertThat(verify.stdout()).contains("gw.pem: OK");
            assertThat(openssl("x509", "-in", "gw.pem", "-noout", "-text").stdout())
                    .contains("CN = gw-1", "DNS:gw-1.plant3.example", "TLS Web Server Authentication", "TLS Web Client Authentication");

            String serial = openssl("x509", "-in", "gw.pem", "-noout", "-serial").stdout().strip().split("=")[1].toLowerCase();
            CliRun list = cli("ca", "list", "--server", url, "--data-dir", data.toString(), "--cn", "gw-1");
            assertThat(list.exit()).isZero();
            assertThat(list.out()).contains(serial.replaceFirst("^0+", "")).contains("gateway");

            CliRun revoke = cli("ca", "revoke", serial, "--reason", "cessationOfOperation", "--server", url, "--data-dir", data.toString());
            assertThat(revoke.exit()).as(revoke.err()).isZero();
            assertThat(revoke.out()).contains("cessationOfOperation");
            CliRun again = cli("ca", "revoke", serial, "--server", url, "--data-dir", data.toString());
            assertThat(again.exit()).as(again.toString()).isEqualTo(1);
            assertThat(again.err()).contains("already revoked").hasLineCount(1);

            CliRun crl = cli("ca", "crl", "devices", "--publish", "--out", dir.resolve("devices.crl").toString(), "--server", url, "--data-dir", data.toString());
            assertThat(crl.exit()).as(crl.err()).isZero();
            Files.writeString(dir.resolve("chain.pem"), Files.readString(dir.resolve("gw.pem")) + Files.readString(data.resolve("bootstrap/trust-bundle.pem")));
            ProcessRun text = openssl("crl", "-inform", "DER", "-in", "devices.crl", "-CAfile", "chain.pem", "-verify", "-noout", "-text");
            assertThat(text.output()).contains("verify OK").contains("Cessation Of Operation");

            CliRun token = cli("ca", "token", "--cn", "meter-9", "--server", url, "--data-dir", data.toString());
            assertThat(token.exit()).isZero();
            assertThat(token.out().strip()).startsWith("hfb_");

            CliRun show = cli("ca", "show", "--server", url, "--data-dir", data.toString());
            assertThat(show.out()).contains("root", "devices", "infrastructure", "pkcs12:");

            CliRun bad = cli("ca", "issue", "--server", url, "--data-dir", data.toString(), "--csr", dir.resolve("gw.key").toString(), "--cn", "x");
            assertThat(bad.exit()).isEqualTo(1);
            assertThat(bad.err()).contains("CSR").hasLineCount(1);
        }
    }

    @Test
    void server_refusesToStartOnABadConfigFile_namingEveryErrorWithItsPath() throws Exception {
        Path yaml = Files.writeString(dir.resolve("holdfast.yaml"), """
                server:
                  https:
                    port: 70000
                pki:
                  ca:
                    keyBackend: maybe
                  crl:
                    refreshIntervall: 1h
                """);
        CliRun check = cli("config", "check", "--config", yaml.toString());
        assertThat(check.exit()).isEqualTo(2);
        assertThat(check.err()).contains("server.https.port: 70000 is above maximum 65535")
                .contains("pki.ca.keyBackend:").contains("maybe")
                .contains("pki.crl.refreshIntervall: unknown setting (did you mean pki.crl.refreshInterval?)");
        CliRun server = cli("server", "--data-dir", dir.resolve("never").toString(), "--config", yaml.toString());
        assertThat(server.exit()).isEqualTo(2);
        assertThat(dir.resolve("never")).doesNotExist();

        Path good = Files.writeString(dir.resolve("good.yaml"), "server.https.port: 9443\npki.crl.validity: 2d\n");
        CliRun ok = cli("config", "check", "--config", good.toString());
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("9443");
    }

    @Test
    void init_createsTheHierarchyOnce_andGeneratesAPassphraseFileOwnerOnly() throws Exception {
        Path data = dir.resolve("data");
        CliRun first = cli("ca", "init", "--data-dir", data.toString());
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out()).contains("created the CA hierarchy").contains("devices").contains("infrastructure");
        CliRun second = cli("ca", "init", "--data-dir", data.toString());
        assertThat(second.out()).contains("already exists");
        assertThat(data.resolve("pki/ca-keys.p12")).exists();
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("secrets/ca.passphrase"))))
                .isEqualTo("rw-------");
    }

    @Test
    void externalRoot_csrsSignedByAnOfflineRootAreImported_andTheServerIssuesUnderIt() throws Exception {
        Path data = dir.resolve("data");
        CliRun init = cli("ca", "init", "--data-dir", data.toString(), "--external-root", "--out", dir.toString());
        assertThat(init.exit()).as(init.err()).isZero();
        assertThat(dir.resolve("devices.csr.pem")).exists();
        assertThat(dir.resolve("infrastructure.csr.pem")).exists();

        // The offline root, played by openssl.
        openssl("req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-nodes", "-keyout", "root.key", "-out", "root.pem",
                "-days", "3650", "-subj", "/O=Plant Operator/CN=Offline Root", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign").assertSuccess("root");
        Files.writeString(dir.resolve("ca.ext"), "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n"
                + "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n");
        for (String name : List.of("devices", "infrastructure")) {
            openssl("x509", "-req", "-in", name + ".csr.pem", "-CA", "root.pem", "-CAkey", "root.key", "-CAcreateserial", "-days", "1825",
                    "-extfile", "ca.ext", "-out", name + ".pem").assertSuccess("sign " + name);
        }
        CliRun refusedStart = cli("ca", "init", "--data-dir", data.toString());
        assertThat(refusedStart.exit()).as(refusedStart.toString()).isEqualTo(1);
        assertThat(refusedStart.err()).contains("external root");

        CliRun imported = cli("ca", "init", "--data-dir", data.toString(), "--import-root", dir.resolve("root.pem").toString(),
                "--import", "devices=" + dir.resolve("devices.pem"), "--import", "infrastructure=" + dir.resolve("infrastructure.pem"));
        assertThat(imported.exit()).as(imported.err()).isZero();

        // No passphrase in the environment: the server finds the one `ca init` generated in the data directory.
        try (HoldfastServer server = TestServers.start(data, TestServers.loopbackConfig(TestServers.freePort()), Map.of())) {
            assertThat(Files.readString(data.resolve("bootstrap/trust-bundle.pem"))).contains("Offline Root");
            String url = "https://127.0.0.1:" + server.httpsPort();
            openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "d.key", "-out", "d.csr",
                    "-subj", "/CN=d").assertSuccess("req");
            CliRun issued = cli("ca", "issue", "--server", url, "--data-dir", data.toString(), "--csr", dir.resolve("d.csr").toString(),
                    "--cn", "sensor-under-offline-root", "--out", dir.resolve("d.pem").toString());
            assertThat(issued.exit()).as(issued.err()).isZero();
            ProcessRun verify = openssl("verify", "-CAfile", "root.pem", "-untrusted", "devices.pem", "d.pem");
            assertThat(verify.stdout()).contains("d.pem: OK");
            CliRun show = cli("ca", "show", "--server", url, "--data-dir", data.toString());
            assertThat(show.out()).contains("external (offline)");
        }
    }
}
