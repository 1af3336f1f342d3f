package dev.holdfast.hub;

import dev.holdfast.testing.ExternalTool;
import dev.holdfast.testing.ProcessRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Eclipse Mosquitto's command-line clients (Debian {@code mosquitto-clients}) with a device
 * certificate over TLS 1.2 and TLS 1.3: they work on the device's own topics and are refused on
 * another device's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MosquittoClientsIT {
    @TempDir
    static Path dir;
    HubFixture f;
    Path pub;
    Path sub;

    @BeforeAll
    void start() {
        pub = ExternalTool.require("mosquitto_pub");
        sub = ExternalTool.require("mosquitto_sub");
        f = HubFixture.start(dir);
    }

    @AfterAll
    void stop() {
        if (f != null) f.close();
    }

    private List<String> tls(String name, String version) {
        return List.of("-h", "127.0.0.1", "-p", String.valueOf(f.port()), "--cafile", "ca.pem", "--cert", name + ".crt", "--key", name + ".key",
                "--tls-version", version, "-i", name, "-u", f.username(name), "-V", "mqttv311");
    }

    private ProcessRun run(Path tool, List<String> common, String... more) {
        List<String> cmd = new ArrayList<>();
        cmd.add(tool.toString());
        cmd.addAll(common);
        cmd.addAll(List.of(more));
        // --tls-version sets only a floor in mosquitto 2.0; cap OpenSSL at TLS 1.2 through its config so
        // the TLS 1.2 runs really negotiate TLS 1.2.
        Map<String, String> env = common.contains("tlsv1.2") ? Map.of("OPENSSL_CONF", tls12Only().toString()) : Map.of();
        return ProcessRun.run(dir, cmd, env, new byte[0], 30);
    }

    private Path tls12Only() {
        Path conf = dir.resolve("openssl-tls12.cnf");
        try {
            java.nio.file.Files.writeString(conf, """
                    openssl_conf = default_conf
                    [default_conf]
                    ssl_conf = ssl_sect
                    [ssl_sect]
                    system_default = system_default_sect
                    [system_default_sect]
                    MaxProtocol = TLSv1.2
                    """);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return conf;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tlsv1.2", "tlsv1.3"})
    void mosquittoPub_sendsTelemetryOnItsOwnTopicAndIsRefusedOnAnothers(String version) {
        String id = "mosq-pub-" + version.replace(".", "");
        f.writePem(id, f.device(id));
        f.device(id + "-victim");
        ProcessRun ok = run(pub, tls(id, version), "-q", "1", "-t", "devices/" + id + "/messages/events/source=mosquitto", "-m", "hello " + version);
        assertThat(ok.exitCode()).as(ok.output()).isZero();
        assertThat(f.hub.telemetryStore().recent(id, 5)).singleElement().satisfies(s -> {
            assertThat(new String(s.message().body().toArray(), StandardCharsets.UTF_8)).isEqualTo("hello " + version);
            assertThat(s.message().properties()).containsEntry("source", "mosquitto");
        });
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(f.registry.devices().lastTls(new dev.holdfast.registry.DeviceId(id)))
                .hasValueSatisfying(t -> assertThat(t.protocol()).isEqualTo(version.equals("tlsv1.2") ? "TLSv1.2" : "TLSv1.3")));

        ProcessRun refused = run(pub, tls(id, version), "-q", "1", "-t", "devices/" + id + "-victim/messages/events/", "-m", "spoofed");
        assertThat(refused.exitCode()).as(refused.output()).isNotZero();
        assertThat(f.hub.telemetryStore().recent(id + "-victim", 5)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tlsv1.2", "tlsv1.3"})
    void mosquittoSub_receivesItsCloudToDeviceMessagesAndIsDeniedAnothers(String version) throws Exception {
        String id = "mosq-sub-" + version.replace(".", "");
        f.writePem(id, f.device(id));
        f.device(id + "-other");
        CompletableFuture<ProcessRun> receiving = CompletableFuture.supplyAsync(() ->
                run(sub, tls(id, version), "-q", "1", "-t", "devices/" + id + "/messages/devicebound/#", "-C", "1", "-W", "20", "-v"));
        await().atMost(Duration.ofSeconds(15)).until(() -> f.hub.session(id).isPresent());
        // the subscription arrives right after CONNACK; a message queued meanwhile is delivered on SUBSCRIBE
        f.hub.sendCloudToDevice(id, Map.of("k", "v"), "to mosquitto".getBytes(StandardCharsets.UTF_8), Optional.empty());
        ProcessRun got = receiving.get();
        assertThat(got.exitCode()).as(got.output()).isZero();
        assertThat(got.stdout()).contains("devices/" + id + "/messages/devicebound/").contains("k=v").contains("to mosquitto");

        ProcessRun denied = run(sub, tls(id, version), "-q", "1", "-t", "devices/" + id + "-other/messages/devicebound/#", "-C", "1", "-W", "5");
        // mosquitto_sub reports the SUBACK failure code 0x80 and gives up without a message
        assertThat(denied.output()).contains("All subscription requests were denied");
    }
}
