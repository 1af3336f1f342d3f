package dev.holdfast.hub;

import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Protection limits, each counted and an event: per-device message rate, connect timeout, per-source connection rate. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HubLimitsIT {
    @TempDir
    static Path dir;
    HubFixture f;

    @BeforeAll
    void start() {
        f = new HubFixture(dir, "127.0.0.1", 0, b -> b, c -> c.withLimits(100, 5, 1 << 20, 8).withConnectTimeout(Duration.ofSeconds(5)));
    }

    @AfterAll
    void stop() {
        if (f != null) f.close();
    }

    @Test
    void deviceOverItsMessageRate_isDisconnected() throws Exception {
        HubFixture.Issued cert = f.device("chatty-1");
        // On a heavily loaded machine a CONNECT can miss the short connect timeout of this fixture: try again.
        PahoClients.Device connected = null;
        for (int attempt = 0; connected == null; attempt++) {
            try {
                connected = PahoClients.connect(f, cert, "chatty-1");
            } catch (MqttException e) {
                if (attempt == 2) throw e;
            }
        }
        try (PahoClients.Device d = connected) {
            // Paho's QoS 0 publish can wait forever for a socket the hub has just closed: bound it.
            d.client.setTimeToWait(2000);
            try {
                for (int i = 0; i < 50 && !d.lost.isDone(); i++) d.client.publish("devices/chatty-1/messages/events/", new byte[]{1}, 0, false);
            } catch (MqttException expected) {
                // the hub closed the connection mid-burst
            }
            assertThat(d.lost.get(5, TimeUnit.SECONDS)).isNotNull();
        }
        assertThat(f.hub.metrics().limits("message-rate")).isGreaterThanOrEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(f.events("hub.limit.exceeded"))
                .anySatisfy(e -> assertThat(e.event().message()).contains("chatty-1", "5 messages per second")));
    }

    @Test
    void connectionThatNeverHandshakes_isClosedAfterTheConnectTimeout() throws Exception {
        try (Socket s = new Socket("127.0.0.1", f.port())) {
            s.setSoTimeout(30_000);
            long t0 = System.nanoTime();
            InputStream in = s.getInputStream();
            int b;
            do {
                b = in.read();
            } while (b >= 0);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(4500), Duration.ofSeconds(25));
        }
    }

    @Test
    void tooManyConnectionsPerSecondFromOneSource_areClosedAtOnce() throws Exception {
        // 8 per second allowed from one address; 30 quick connections from 127.0.0.9 exceed it
        java.util.List<Socket> sockets = new java.util.ArrayList<>();
        int closedAtOnce = 0;
        try {
            for (int i = 0; i < 30; i++) {
                Socket s = new Socket();
                sockets.add(s);
                s.bind(new java.net.InetSocketAddress("127.0.0.9", 0));
                s.connect(new java.net.InetSocketAddress("127.0.0.1", f.port()));
            }
            for (Socket s : sockets) {
                s.setSoTimeout(200);
                try {
                    if (s.getInputStream().read() < 0) closedAtOnce++;
                } catch (java.net.SocketTimeoutException stillOpen) {
                    // admitted: waiting for a TLS ClientHello
                } catch (java.io.IOException reset) {
                    closedAtOnce++;
                }
            }
        } finally {
            for (Socket s : sockets) s.close();
        }
        assertThat(closedAtOnce).isGreaterThanOrEqualTo(1);
        assertThat(f.hub.metrics().limits("connection-rate")).isGreaterThanOrEqualTo(1);
    }
}
