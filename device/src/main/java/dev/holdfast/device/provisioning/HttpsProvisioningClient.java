package dev.holdfast.device.provisioning;

import dev.holdfast.device.MalformedMessageException;
import dev.holdfast.device.internal.DeviceTls;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;

/**
 * DPS over HTTPS: {@code PUT /{idScope}/registrations/{registrationId}/register}, then
 * {@code GET .../operations/{operationId}} after each {@code Retry-After} until the operation
 * finishes. The IDevID is the TLS client certificate.
 */
public final class HttpsProvisioningClient implements ProvisioningClient {
    public static final String API_VERSION = "2021-06-01";
    /** Largest reply body read; a DPS operation with a certificate chain is a few KB. */
    static final int MAX_BODY = 256 * 1024;

    private final URI endpoint;
    private final List<X509Certificate> trust;
    private final Duration timeout;
    private final Duration minPoll;

    /**
     * @param endpoint the service's base URL, e.g. {@code https://holdfast.example:8443}
     * @param trust    roots the service's certificate must chain to
     * @param timeout  for the whole registration, polls included
     * @param minPoll  shortest wait between polls, whatever Retry-After says (keeps a fleet from hammering)
     */
    public HttpsProvisioningClient(URI endpoint, List<X509Certificate> trust, Duration timeout, Duration minPoll) {
        if (!"https".equals(endpoint.getScheme())) throw new IllegalArgumentException("endpoint: " + endpoint + " (expected: an https URL)");
        this.endpoint = endpoint;
        this.trust = List.copyOf(trust);
        this.timeout = timeout;
        this.minPoll = minPoll;
    }

    public HttpsProvisioningClient(URI endpoint, List<X509Certificate> trust) {
        this(endpoint, trust, Duration.ofMinutes(2), Duration.ofMillis(500));
    }

    @Override
    public RegistrationResult register(ProvisioningRequest r) throws ProvisioningException {
        Instant deadline = Instant.now().plus(timeout);
        String base = endpoint.toString().replaceAll("/+$", "") + "/" + enc(r.idScope()) + "/registrations/" + enc(r.registrationId());
        try (HttpClient http = HttpClient.newBuilder().sslContext(r.onboarding().sslContext(trust))
                .sslParameters(DeviceTls.parameters(new javax.net.ssl.SSLParameters()))
                .connectTimeout(Duration.ofSeconds(10)).executor(Executors.newVirtualThreadPerTaskExecutor()).build()) {
            HttpResponse<byte[]> reply = send(http, HttpRequest.newBuilder(URI.create(base + "/register?api-version=" + API_VERSION))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(DpsMessages.registerBody(r))), deadline);
            return pollFrom(http, base, reply, deadline, r, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProvisioningException("interrupted while registering " + r.registrationId(), 0, 0, e);
        } catch (IOException e) {
            throw new ProvisioningException("cannot reach the provisioning service at " + endpoint + ": " + e.getMessage(), 0, 0, e);
        }
    }

    private RegistrationResult pollFrom(HttpClient http, String base, HttpResponse<byte[]> reply, Instant deadline, ProvisioningRequest r, int polls)
            throws ProvisioningException, IOException, InterruptedException {
        HttpResponse<byte[]> current = reply;
        for (int n = polls; n < 1000; n++) {
            DpsMessages.Operation op = operation(current);
            if (op.finished()) {
                int status = current.statusCode();
                return op.result().orElseThrow(() -> new ProvisioningException("operation " + op.operationId() + " finished without a registrationState", status, 0));
            }
            Duration wait = ProvisioningClient.pollDelay(retryAfter(current), minPoll, Duration.ofSeconds(30));
            if (Instant.now().plus(wait).isAfter(deadline)) {
                throw new ProvisioningException("registration " + r.registrationId() + " still " + op.status() + " at the deadline", current.statusCode(), 0);
            }
            Thread.sleep(wait);
            current = send(http, HttpRequest.newBuilder(URI.create(base + "/operations/" + enc(op.operationId()) + "?api-version=" + API_VERSION)).GET(), deadline);
        }
        throw new ProvisioningException("registration " + r.registrationId() + " not finished after 1000 polls", current.statusCode(), 0);
    }

    private static HttpResponse<byte[]> send(HttpClient http, HttpRequest.Builder b, Instant deadline) throws IOException, InterruptedException {
        Duration left = Duration.between(Instant.now(), deadline);
        if (left.isNegative() || left.isZero()) throw new IOException("provisioning deadline passed");
        return http.send(b.header("Content-Type", "application/json").header("Accept", "application/json").timeout(left).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static DpsMessages.Operation operation(HttpResponse<byte[]> reply) throws ProvisioningException {
        byte[] body = reply.body() == null ? new byte[0] : reply.body();
        if (body.length > MAX_BODY) throw new ProvisioningException("reply of " + body.length + " bytes exceeds " + MAX_BODY, reply.statusCode(), 0);
        int status = reply.statusCode();
        if (status != 200 && status != 202) {
            Optional<DpsMessages.Error> err = DpsMessages.error(body);
            throw new ProvisioningException("provisioning refused with " + status + err.map(e -> ": " + e.errorCode() + " " + e.message()).orElse(""),
                    status, err.map(DpsMessages.Error::errorCode).orElse(0L));
        }
        try {
            return DpsMessages.operation(body);
        } catch (MalformedMessageException e) {
            throw new ProvisioningException("malformed reply from the provisioning service: " + e.getMessage(), status, 0, e);
        }
    }

    private static Optional<Duration> retryAfter(HttpResponse<byte[]> reply) {
        return reply.headers().firstValue("Retry-After").flatMap(v -> {
            try {
                return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(v.strip()))));
            } catch (NumberFormatException e) {
                return Optional.empty(); // an HTTP-date or garbage: use the default poll interval
            }
        });
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
