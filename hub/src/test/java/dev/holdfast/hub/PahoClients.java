package dev.holdfast.hub;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/** Paho MQTT 3.1.1 clients over mutual TLS against a {@link HubFixture}. */
final class PahoClients {
    private PahoClients() {
    }

    record Received(String topic, MqttMessage message) {
    }

    /** A connected client and what it saw. */
    static final class Device implements AutoCloseable {
        final MqttClient client;
        final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
        final CompletableFuture<Throwable> lost = new CompletableFuture<>();

        Device(MqttClient client) {
            this.client = client;
            client.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                    lost.complete(cause);
                }

                @Override
                public void messageArrived(String topic, MqttMessage message) {
                    received.add(new Received(topic, message));
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                }
            });
        }

        @Override
        public void close() {
            try {
                if (client.isConnected()) client.disconnectForcibly(100, 100);
            } catch (MqttException ignored) {
                // already gone
            }
            try {
                client.close(true);
            } catch (MqttException ignored) {
                // already closed
            }
        }
    }

    static MqttClient client(HubFixture f, String clientId) throws MqttException {
        return new MqttClient("ssl://127.0.0.1:" + f.port(), clientId, new MemoryPersistence());
    }

    static MqttConnectOptions options(HubFixture f, HubFixture.Issued cert, String username) {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(true);
        o.setAutomaticReconnect(false);
        o.setConnectionTimeout(10);
        o.setKeepAliveInterval(60);
        if (username != null) o.setUserName(username);
        o.setSocketFactory(f.clientContext(cert).getSocketFactory());
        return o;
    }

    /** Connects as {@code clientId} with {@code cert}; throws Paho's refusal. */
    static Device connect(HubFixture f, HubFixture.Issued cert, String clientId) throws MqttException {
        MqttClient c = client(f, clientId);
        Device d = new Device(c);
        try {
            c.connect(options(f, cert, f.username(clientId)));
        } catch (MqttException e) {
            d.close();
            throw e;
        }
        return d;
    }
}
