package dev.holdfast.device.provisioning;

import dev.holdfast.device.DeviceRuntime;
import dev.holdfast.device.MalformedMessageException;
import dev.holdfast.device.internal.MqttConnection;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * DPS over MQTT: connect with client id = registration id and user name
 * {@code {idScope}/registrations/{registrationId}/api-version=...}, subscribe
 * {@code $dps/registrations/res/#}, publish the register request, poll
 * {@code iotdps-get-operationstatus} after each {@code retry-after}, read the final 200 reply.
 * Runs on the shared event loop; {@link #register} blocks its caller (use a virtual thread).
 */
public final class MqttProvisioningClient implements ProvisioningClient {
    public static final String API_VERSION = "2019-03-31";

    private final DeviceRuntime runtime;
    private final String host;
    private final int port;
    private final String connectHost;
    private final List<X509Certificate> trust;
    private final Duration timeout;
    private final Duration minPoll;

    /**
     * @param host        the service's host name, checked against its certificate
     * @param port        MQTT over TLS, 8883 by default on Holdfast
     * @param connectHost where to open the TCP connection (usually {@code host})
     */
    public MqttProvisioningClient(DeviceRuntime runtime, String host, int port, String connectHost, List<X509Certificate> trust,
                                  Duration timeout, Duration minPoll) {
        this.runtime = runtime;
        this.host = host;
        this.port = port;
        this.connectHost = connectHost == null ? host : connectHost;
        this.trust = List.copyOf(trust);
        this.timeout = timeout;
        this.minPoll = minPoll;
    }

    private record Reply(DpsMessages.ReplyTopic topic, byte[] body) {
    }

    @Override
    public RegistrationResult register(ProvisioningRequest r) throws ProvisioningException {
        Instant deadline = Instant.now().plus(timeout);
        LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
        String username = r.idScope() + "/registrations/" + r.registrationId() + "/api-version=" + API_VERSION
                + "&ClientVersion=holdfast-device%2F0.1";
        var options = new MqttConnection.Options(connectHost, port, host, r.onboarding().sslContext(trust), r.registrationId(), username,
                true, Duration.ofSeconds(60), Duration.ofSeconds(10), 256 * 1024);
        MqttConnection conn = null;
        try {
            conn = await(MqttConnection.connect(runtime.eventLoops(), options, new MqttConnection.Listener() {
                @Override
                public void onPublish(MqttConnection source, String topic, byte[] payload, int qos, int packetId) {
                    if (qos == 1) source.puback(packetId);
                    try {
                        inbox.add(new Reply(DpsMessages.replyTopic(topic), payload));
                    } catch (MalformedMessageException e) {
                        inbox.add(e);
                    }
                }

                @Override
                public void onClosed(MqttConnection source, Throwable cause) {
                    inbox.add(new java.io.IOException("connection closed: " + cause.getMessage()));
                }
            }), deadline, "connect");
            List<Integer> granted = await(conn.subscribe(List.of("$dps/registrations/res/#")), deadline, "subscribe");
            if (granted.contains(0x80)) throw new ProvisioningException("the service refused the subscription to $dps/registrations/res/#", 0, 0);
            int rid = 1;
            await(conn.publish("$dps/registrations/PUT/iotdps-register/?$rid=" + rid, DpsMessages.registerBody(r), 1), deadline, "register");
            for (int polls = 0; polls < 1000; polls++) {
                Reply reply = next(inbox, String.valueOf(rid), deadline);
                int status = reply.topic().status();
                if (status >= 300) {
                    Optional<DpsMessages.Error> err = DpsMessages.error(reply.body());
                    throw new ProvisioningException("provisioning refused with " + status + err.map(e -> ": " + e.errorCode() + " " + e.message()).orElse(""),
                            status, err.map(DpsMessages.Error::errorCode).orElse(0L));
                }
                DpsMessages.Operation op;
                try {
                    op = DpsMessages.operation(reply.body());
                } catch (MalformedMessageException e) {
                    throw new ProvisioningException("malformed reply from the provisioning service: " + e.getMessage(), status, 0, e);
                }
                if (op.finished()) {
                    return op.result().orElseThrow(() -> new ProvisioningException("operation finished without a registrationState", status, 0));
                }
                Duration wait = ProvisioningClient.pollDelay(reply.topic().retryAfterSeconds().isPresent()
                        ? Optional.of(Duration.ofSeconds(reply.topic().retryAfterSeconds().getAsInt())) : Optional.empty(), minPoll, Duration.ofSeconds(30));
                if (Instant.now().plus(wait).isAfter(deadline)) throw new ProvisioningException("registration still " + op.status() + " at the deadline", status, 0);
                Thread.sleep(wait);
                rid++;
                await(conn.publish("$dps/registrations/GET/iotdps-get-operationstatus/?$rid=" + rid + "&operationId=" + op.operationId(),
                        new byte[0], 1), deadline, "poll");
            }
            throw new ProvisioningException("registration not finished after 1000 polls", 0, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProvisioningException("interrupted while registering " + r.registrationId(), 0, 0, e);
        } finally {
            if (conn != null) conn.close();
        }
    }

    private static Reply next(LinkedBlockingQueue<Object> inbox, String rid, Instant deadline) throws ProvisioningException, InterruptedException {
        while (true) {
            long left = Duration.between(Instant.now(), deadline).toMillis();
            Object o = left <= 0 ? null : inbox.poll(left, TimeUnit.MILLISECONDS);
            if (o == null) throw new ProvisioningException("no reply from the provisioning service before the deadline", 0, 0);
            if (o instanceof MalformedMessageException e) throw new ProvisioningException("malformed reply topic: " + e.getMessage(), 0, 0, e);
            if (o instanceof Exception e) throw new ProvisioningException("provisioning connection failed: " + e.getMessage(), 0, 0, e);
            Reply reply = (Reply) o;
            if (reply.topic().requestId().equals(rid)) return reply; // a late answer to an earlier poll is skipped
        }
    }

    private static <T> T await(CompletableFuture<T> f, Instant deadline, String step) throws ProvisioningException, InterruptedException {
        try {
            return f.get(Math.max(1, Duration.between(Instant.now(), deadline).toMillis()), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new ProvisioningException("provisioning " + step + " failed: " + e.getCause().getMessage(), 0, 0, e.getCause());
        } catch (TimeoutException e) {
            throw new ProvisioningException("provisioning " + step + " timed out", 0, 0, e);
        }
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
