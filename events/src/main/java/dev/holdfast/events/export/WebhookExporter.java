package dev.holdfast.events.export;

import dev.holdfast.events.StoredEvent;
import dev.holdfast.events.UuidV7;
import dev.holdfast.events.ocsf.OcsfJson;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * OCSF JSON over HTTPS: each batch is one POST of a JSON array, signed so the receiver can tell it
 * came from this Holdfast and is fresh.
 *
 * <p>Headers: {@code X-Holdfast-Delivery} (a new UUIDv7 per attempt), {@code X-Holdfast-Timestamp}
 * (Unix seconds) and {@code X-Holdfast-Signature: v1=HEX}, where HEX is HMAC-SHA256 with the shared
 * secret over {@code timestamp + "." + delivery + "." + body}. A receiver recomputes it, compares in
 * constant time, refuses timestamps more than its tolerance (5 minutes suggested) from its clock, and
 * refuses a delivery id it has seen within that tolerance. A 2xx answer confirms the batch; anything
 * else is retried with backoff, under a new delivery id.
 */
public final class WebhookExporter implements Exporter {
    public static final String DELIVERY_HEADER = "X-Holdfast-Delivery";
    public static final String TIMESTAMP_HEADER = "X-Holdfast-Timestamp";
    public static final String SIGNATURE_HEADER = "X-Holdfast-Signature";

    private final URI url;
    private final HttpClient client;
    private final SecretKeySpec key;
    private final Duration timeout;
    private final Clock clock;

    /** {@code secret} is copied; callers should clear their array. */
    public WebhookExporter(URI url, ExportTls tls, byte[] secret, Duration timeout, Clock clock) {
        if (!"https".equalsIgnoreCase(url.getScheme())) throw new IllegalArgumentException("url: " + url + " (expected: https)");
        if (secret == null || secret.length < 16) throw new IllegalArgumentException("secret: too short (expected: at least 16 bytes)");
        this.url = url;
        this.key = new SecretKeySpec(secret.clone(), "HmacSHA256");
        this.timeout = timeout;
        this.clock = clock;
        this.client = HttpClient.newBuilder().sslContext(tls.context()).sslParameters(tls.parameters())
                .connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The signature as the header carries it. */
    public static String sign(byte[] secret, String timestamp, String delivery, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return "v1=" + HexFormat.of().formatHex(mac(mac, timestamp, delivery, body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static byte[] mac(Mac mac, String timestamp, String delivery, byte[] body) {
        mac.update(timestamp.getBytes(StandardCharsets.US_ASCII));
        mac.update((byte) '.');
        mac.update(delivery.getBytes(StandardCharsets.US_ASCII));
        mac.update((byte) '.');
        return mac.doFinal(body);
    }

    @Override
    public long send(List<StoredEvent> batch) throws IOException {
        byte[] body = OcsfJson.toJsonArray(batch);
        String delivery = UuidV7.at(clock.instant()).toString();
        String timestamp = Long.toString(clock.instant().getEpochSecond());
        String signature;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            signature = "v1=" + HexFormat.of().formatHex(mac(mac, timestamp, delivery, body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json")
                .header(DELIVERY_HEADER, delivery).header(TIMESTAMP_HEADER, timestamp).header(SIGNATURE_HEADER, signature)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HttpResponse<Void> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.discarding());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while delivering to " + url.getHost());
        }
        if (response.statusCode() / 100 != 2) {
            throw new IOException("webhook " + url.getHost() + " answered HTTP " + response.statusCode());
        }
        return batch.get(batch.size() - 1).sequence();
    }

    @Override
    public void close() {
        client.close();
    }

    @Override
    public String toString() {
        return "webhook:" + url.getHost();
    }
}
