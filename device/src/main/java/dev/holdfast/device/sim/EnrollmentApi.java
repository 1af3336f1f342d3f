package dev.holdfast.device.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.device.Certificates;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * Creates the enrollment group for the simulator's manufacturer CA through the admin REST API.
 * Isolated on purpose: the provisioning service (issue 4) defines the endpoint; this is the one
 * place to align with it. Request, as assumed here:
 * <pre>
 * PUT /api/v1/enrollments/groups/{name}
 * {"name", "attestation": {"type": "x509", "caCertificatePem": "..."}, "provisioningStatus": "enabled",
 *  "initialTwin": {"tags": {"simulated": true}}}
 * </pre>
 * A 2xx or 409 (already exists) counts as done.
 */
public final class EnrollmentApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final URI server;
    private final List<X509Certificate> trust;
    private final String token;

    /** @param token an admin bearer token (never logged) */
    public EnrollmentApi(URI server, List<X509Certificate> trust, String token) {
        this.server = server;
        this.trust = List.copyOf(trust);
        this.token = token;
    }

    public void ensureGroup(String name, X509Certificate manufacturerCa) throws IOException {
        ObjectNode body = JSON.createObjectNode().put("name", name).put("provisioningStatus", "enabled");
        body.putObject("attestation").put("type", "x509").put("caCertificatePem", Certificates.toPem(List.of(manufacturerCa)));
        body.putObject("initialTwin").putObject("tags").put("simulated", true);
        URI uri = URI.create(server.toString().replaceAll("/+$", "") + "/api/v1/enrollments/groups/" + name);
        try (HttpClient http = HttpClient.newBuilder().sslContext(context()).connectTimeout(Duration.ofSeconds(10)).build()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2 && r.statusCode() != 409) {
                throw new IOException("creating enrollment group " + name + " at " + uri + " answered " + r.statusCode() + ": "
                        + r.body().substring(0, Math.min(300, r.body().length())));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private SSLContext context() throws IOException {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            for (int i = 0; i < trust.size(); i++) ks.setCertificateEntry("t" + i, trust.get(i));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (Exception e) {
            throw new IOException("cannot build the TLS context for the admin API: " + e.getMessage(), e);
        }
    }
}
