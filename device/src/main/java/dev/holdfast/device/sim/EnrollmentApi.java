package dev.holdfast.device.sim;

import com.fasterxml.jackson.databind.JsonNode;
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
 * Prepares a Holdfast server for the simulator's factory through the admin REST API
 * ({@code docs/provisioning.md}): uploads the manufacturer CA and proves possession of its key (a
 * certificate whose CN is the server's verification code, signed by the CA), links hubs, and creates
 * the X.509 enrollment group anchored on that CA. Each step is idempotent: what exists is kept, so
 * the simulator and the demo can run again against the same server.
 */
public final class EnrollmentApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BASE = "/api/v1/provisioning";
    private final URI server;
    private final List<X509Certificate> trust;
    private final String token;

    /** @param token an admin bearer token (never logged) */
    public EnrollmentApi(URI server, List<X509Certificate> trust, String token) {
        this.server = server;
        this.trust = List.copyOf(trust);
        this.token = token;
    }

    /**
     * The manufacturer CA {@code name} uploaded and verified, then the enrollment group {@code name}
     * anchored on it (tag {@code simulated: true}), with the server's default allocation over every
     * linked hub.
     */
    public void ensureGroup(String name, Factory factory) throws IOException {
        ensureVerifiedCa(name, factory);
        ObjectNode body = JSON.createObjectNode().put("id", name);
        body.putObject("attestation").put("type", "x509").put("caName", name);
        body.putObject("initialTags").put("simulated", true);
        Reply r = call("POST", BASE + "/enrollment-groups", body);
        if (r.status() / 100 != 2 && r.status() != 409) throw failure("creating enrollment group " + name, r);
    }

    /** Links (or updates) a hub devices may be allocated to. */
    public void ensureHub(String name, String hostName, int weight) throws IOException {
        ObjectNode body = JSON.createObjectNode().put("hostName", hostName).put("weight", weight);
        Reply r = call("PUT", BASE + "/hubs/" + name, body);
        if (r.status() / 100 != 2) throw failure("linking hub " + name, r);
    }

    private void ensureVerifiedCa(String name, Factory factory) throws IOException {
        Reply existing = call("GET", BASE + "/manufacturer-cas/" + name, null);
        JsonNode ca;
        if (existing.status() == 404) {
            ObjectNode upload = JSON.createObjectNode().put("name", name).put("certificate", Certificates.toPem(List.of(factory.certificate())));
            Reply r = call("POST", BASE + "/manufacturer-cas", upload);
            if (r.status() / 100 != 2) throw failure("uploading manufacturer CA " + name, r);
            ca = r.json();
        } else if (existing.status() == 200) {
            ca = existing.json();
        } else {
            throw failure("reading manufacturer CA " + name, existing);
        }
        if (ca.path("verified").asBoolean(false)) return;
        String code = ca.path("verificationCode").asText("");
        if (code.isEmpty()) throw new IOException("manufacturer CA " + name + " is unverified and the server gave no verification code");
        X509Certificate proof = factory.manufacture(code, Duration.ZERO).chain().get(0);
        Reply r = call("POST", BASE + "/manufacturer-cas/" + name + "/verify",
                JSON.createObjectNode().put("certificate", Certificates.toPem(List.of(proof))));
        if (r.status() / 100 != 2) throw failure("verifying manufacturer CA " + name, r);
    }

    private record Reply(int status, String body) {
        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    private static IOException failure(String what, Reply r) {
        return new IOException(what + " answered " + r.status() + ": " + r.body().substring(0, Math.min(300, r.body().length())));
    }

    private Reply call(String method, String path, JsonNode body) throws IOException {
        URI uri = URI.create(server.toString().replaceAll("/+$", "") + path);
        HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token);
        if (body == null) req.method(method, HttpRequest.BodyPublishers.noBody());
        else req.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        try (HttpClient http = HttpClient.newBuilder().sslContext(context()).connectTimeout(Duration.ofSeconds(10)).build()) {
            HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body());
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
