package dev.holdfast.hub;

import dev.holdfast.testing.ExternalTool;
import dev.holdfast.testing.ProcessRun;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * Refusals on the wire: MQTT 5 reason codes seen by the Paho MQTT 5 client, TLS 1.1 refused at the
 * handshake (judged by openssl), and a corpus of malformed packets sent over a real TLS socket, each
 * of which ends only its own session.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MqttRefusalsIT {
    @TempDir
    static Path dir;
    HubFixture f;
    HubFixture.Issued raw;
    HubFixture.Issued healthy;

    @BeforeAll
    void start() {
        f = HubFixture.start(dir);
        raw = f.device("raw-1");
        healthy = f.device("healthy-1");
    }

    @AfterAll
    void stop() {
        if (f != null) f.close();
    }

    // ------------------------------------------------------------------------------------ MQTT 5

    record V5(MqttAsyncClient client, CompletableFuture<MqttDisconnectResponse> disconnected) {
    }

    V5 v5(HubFixture.Issued cert, String clientId, String usernameOf) throws MqttException {
        MqttAsyncClient c = new MqttAsyncClient("ssl://127.0.0.1:" + f.port(), clientId, new MemoryPersistence());
        CompletableFuture<MqttDisconnectResponse> disc = new CompletableFuture<>();
        c.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse r) {
                disc.complete(r);
            }

            @Override
            public void mqttErrorOccurred(MqttException e) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
            }

            @Override
            public void deliveryComplete(IMqttToken token) {
            }

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {
            }
        });
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setAutomaticReconnect(false);
        o.setUserName(f.username(usernameOf));
        o.setSocketFactory(f.clientContext(cert).getSocketFactory());
        o.setConnectionTimeout(10);
        c.connect(o).waitForCompletion(10_000);
        return new V5(c, disc);
    }

    private static int reason(IMqttToken t) {
        try {
            t.waitForCompletion(10_000);
        } catch (MqttException e) {
            return e.getReasonCode();
        }
        return t.getReasonCodes() == null ? -1 : t.getReasonCodes()[0];
    }

    @Test
    void mqtt5_publishToAnotherDevicesTopicGetsNotAuthorizedAndTheSessionStays() throws Exception {
        HubFixture.Issued cert = f.device("v5-1");
        V5 c = v5(cert, "v5-1", "v5-1");
        try {
            assertThat(reason(c.client().publish("devices/someone-else/messages/events/", new MqttMessage("x".getBytes(), 1, false, null))))
                    .isEqualTo(0x87);
            assertThat(reason(c.client().subscribe("devices/someone-else/messages/devicebound/#", 1))).isEqualTo(0x87);
            // still connected: its own topic works
            assertThat(reason(c.client().publish("devices/v5-1/messages/events/a=1", new MqttMessage("ok".getBytes(), 1, false, null))))
                    .isEqualTo(0);
            assertThat(f.hub.telemetryStore().recent("v5-1", 5)).hasSize(1);
        } finally {
            c.client().disconnectForcibly(100, 100, false);
            c.client().close();
        }
    }

    @Test
    void mqtt5_connectWithAnotherDevicesIdentityGetsReasonCodes() throws Exception {
        HubFixture.Issued cert = f.device("v5-2");
        f.device("v5-3");
        assertThatThrownBy(() -> v5(cert, "v5-3", "v5-3"))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x87));
        assertThatThrownBy(() -> v5(cert, "v5-2", "v5-3"))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x86));
    }

    @Test
    void mqtt5_revocationDisconnectsWithAdministrativeAction() throws Exception {
        HubFixture.Issued cert = f.device("v5-4");
        V5 c = v5(cert, "v5-4", "v5-4");
        try {
            f.pki.ca().revoke(cert.serialHex(), dev.holdfast.pki.RevocationReason.KEY_COMPROMISE, "test");
            assertThat(c.disconnected().get(5, TimeUnit.SECONDS).getReturnCode()).isEqualTo(0x98);
        } finally {
            c.client().close(true);
        }
    }

    // ------------------------------------------------------------------------------------ TLS versions

    @Test
    void tls11_isRefusedAtTheHandshakeAndTls12And13Work() {
        Path openssl = ExternalTool.require("openssl");
        f.writePem("raw", raw);
        ProcessRun old = ProcessRun.run(dir, List.of(openssl.toString(), "s_client", "-connect", "127.0.0.1:" + f.port(), "-tls1_1",
                "-cipher", "DEFAULT:@SECLEVEL=0", "-cert", "raw.crt", "-key", "raw.key", "-CAfile", "ca.pem"), java.util.Map.of(), new byte[0], 20);
        assertThat(old.exitCode()).isNotZero();
        // The server answers the TLS 1.1 ClientHello with a protocol_version alert: it is the server that refuses.
        assertThat(old.output()).containsIgnoringCase("alert protocol version");
        for (String v : List.of("-tls1_2", "-tls1_3")) {
            ProcessRun ok = ProcessRun.run(dir, List.of(openssl.toString(), "s_client", "-connect", "127.0.0.1:" + f.port(), v,
                    "-cert", "raw.crt", "-key", "raw.key", "-CAfile", "ca.pem", "-verify_return_error"), java.util.Map.of(), new byte[0], 20);
            assertThat(ok.output()).as(v).contains("Verify return code: 0 (ok)").contains(v.equals("-tls1_2") ? "TLSv1.2" : "TLSv1.3");
        }
    }

    // ------------------------------------------------------------------------------------ malformed packets

    static Stream<Object[]> corpus() {
        return Stream.of(
                new Object[]{"remaining length longer than four bytes", true, hex("30ffffffff7f")},
                new Object[]{"invalid UTF-8 in a PUBLISH topic", true, hex("3006" + "0002c328" + "6869")},
                new Object[]{"reserved flags set on PINGREQ", true, hex("c100")},
                new Object[]{"SUBSCRIBE without its required 0010 flags", true, hex("80080001000361626300")},
                new Object[]{"oversized PUBLISH (remaining length 300000)", true, hex("30e0a712")},
                new Object[]{"second CONNECT", true, null},
                new Object[]{"reserved packet type 0", true, hex("0000")},
                new Object[]{"PUBLISH before CONNECT", false, hex("3008000474" + "2f2f78" + "6869")},
                new Object[]{"PINGREQ before CONNECT", false, hex("c000")},
                new Object[]{"CONNECT with invalid UTF-8 client id", false, connect(new byte[]{(byte) 0xff, (byte) 0xfe}, "x")});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void malformedPacket_endsOnlyItsOwnSession(String what, boolean afterConnect, byte[] packet) throws Exception {
        try (PahoClients.Device bystander = PahoClients.connect(f, healthy, "healthy-1");
             SSLSocket s = (SSLSocket) f.clientContext(raw).getSocketFactory().createSocket("127.0.0.1", f.port())) {
            s.setSoTimeout(5000);
            s.startHandshake();
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            if (afterConnect) {
                out.write(connect("raw-1".getBytes(StandardCharsets.UTF_8), f.username("raw-1")));
                out.flush();
                byte[] connack = in.readNBytes(4);
                assertThat(HexFormat.of().formatHex(connack)).as("CONNACK").isEqualTo("20020000");
            }
            out.write(packet == null ? connect("raw-1".getBytes(StandardCharsets.UTF_8), f.username("raw-1")) : packet);
            out.flush();
            assertClosed(in, what);
            // the other session is unaffected
            bystander.client.publish("devices/healthy-1/messages/events/", what.getBytes(StandardCharsets.UTF_8), 1, false);
            assertThat(bystander.lost).isNotDone();
        }
        assertThat(f.hub.telemetryStore().recent("healthy-1", 100)).anySatisfy(m -> assertThat(new String(m.message().body().toArray())).isEqualTo(what));
    }

    private static void assertClosed(InputStream in, String what) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        try {
            while (System.nanoTime() < deadline) {
                if (in.read() < 0) return;
            }
        } catch (SocketTimeoutException e) {
            fail(what + ": the hub kept the connection open");
        } catch (IOException e) {
            return; // reset: closed as well
        }
        fail(what + ": the hub kept sending on the connection");
    }

    /** An MQTT 3.1.1 CONNECT with a username, clean session, keep-alive 60 s. */
    static byte[] connect(byte[] clientId, String username) {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        v.writeBytes(hex("00044d515454" + "04" + "82" + "003c"));
        v.write(clientId.length >> 8);
        v.write(clientId.length);
        v.writeBytes(clientId);
        byte[] u = username.getBytes(StandardCharsets.UTF_8);
        v.write(u.length >> 8);
        v.write(u.length);
        v.writeBytes(u);
        byte[] body = v.toByteArray();
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x10);
        int len = body.length;
        do {
            int b = len % 128;
            len /= 128;
            p.write(len > 0 ? b | 0x80 : b);
        } while (len > 0);
        p.writeBytes(body);
        return p.toByteArray();
    }

    static byte[] hex(String h) {
        return HexFormat.of().parseHex(h);
    }
}
