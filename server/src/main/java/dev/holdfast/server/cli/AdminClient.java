package dev.holdfast.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.holdfast.pki.TlsPolicy;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The REST client behind the admin verbs of the CLI: JSON over HTTPS with a bearer token, using the
 * JDK's {@link HttpClient} with the product's {@link TlsPolicy} and host-name verification.
 *
 * <p>Every failure is a {@link CliFailure} with one line to show: the server's problem+json rendered as
 * {@code <title> (<status>): <detail>} with exit code 1, a server that cannot be reached or fails the
 * TLS handshake with exit code 1, and a missing token or trust bundle with exit code 2.
 */
public final class AdminClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final URI base;
    private final String token;
    private final HttpClient http;

    /**
     * @param base       the server's base URL, {@code https://host:port}
     * @param token      the API token ({@code hf_...})
     * @param sslContext trust for the server's certificate; the policy and host-name check are added here
     */
    public AdminClient(URI base, String token, SSLContext sslContext) {
        if (base == null || !"https".equalsIgnoreCase(base.getScheme()) || base.getHost() == null) {
            throw CliFailure.usage("--server: " + base + " (expected: https://host[:port])");
        }
        this.base = base;
        this.token = token;
        SSLParameters params = TlsPolicy.apply(new SSLParameters());
        params.setEndpointIdentificationAlgorithm("HTTPS");
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
                .sslContext(sslContext).sslParameters(params).build();
    }

    /**
     * A client for {@code server}: the token from {@code HOLDFAST_TOKEN} in {@code env}, else from
     * {@code dataDir/bootstrap/admin.token}; trust from {@code caFile}, else
     * {@code dataDir/bootstrap/trust-bundle.pem}.
     */
    public static AdminClient connect(URI server, Path dataDir, Path caFile, Map<String, String> env) {
        String token = env.get("HOLDFAST_TOKEN");
        if (token == null || token.isBlank()) {
            Path file = dataDir.resolve("bootstrap").resolve("admin.token");
            try {
                token = Files.readString(file, StandardCharsets.US_ASCII).trim();
            } catch (NoSuchFileException e) {
                throw CliFailure.usage("no API token: set HOLDFAST_TOKEN, or point --data-dir at the server's data directory (no " + file + ")");
            } catch (IOException e) {
                throw CliFailure.usage("cannot read the API token from " + file + ": " + e.getMessage());
            }
        }
        Path trust = caFile != null ? caFile : dataDir.resolve("bootstrap").resolve("trust-bundle.pem");
        List<X509Certificate> roots = readCertificates(trust, caFile != null ? "--ca-file" : "trust bundle");
        return new AdminClient(server, token.trim(), TlsPolicy.clientContext(roots));
    }

    public JsonNode get(String path) {
        return send(request(path).GET());
    }

    public JsonNode post(String path, Object body) {
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("body: cannot be written as JSON: " + e.getMessage(), e);
        }
        return send(request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(json)));
    }

    /** PATCHes a JSON body (a JSON merge patch, RFC 7386). */
    public JsonNode patch(String path, Object body) {
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("body: cannot be written as JSON: " + e.getMessage(), e);
        }
        return send(request(path).header("Content-Type", "application/json").method("PATCH", HttpRequest.BodyPublishers.ofByteArray(json)));
    }

    /** GETs a binary resource (a CRL, a certificate); errors as for the JSON calls. */
    public byte[] getBytes(String path) {
        HttpRequest r = request(path).GET().build();
        try {
            HttpResponse<byte[]> response = http.send(r, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() / 100 == 2) return response.body();
            throw CliFailure.refused(describeError("GET " + path, response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse(""), response.body()));
        } catch (IOException e) {
            throw CliFailure.refused("cannot reach " + base + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliFailure.refused("interrupted");
        }
    }

    public JsonNode put(String path, Object body) {
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("body: cannot be written as JSON: " + e.getMessage(), e);
        }
        return send(request(path).header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofByteArray(json)));
    }

    /** Sends a file as the request body (an SBOM, an advisory bundle); errors as for the JSON calls. */
    public JsonNode upload(String method, String path, String contentType, Path file) {
        try {
            return send(request(path).header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofFile(file)));
        } catch (java.io.FileNotFoundException e) {
            throw CliFailure.usage(file + " does not exist or cannot be read");
        }
    }

    public JsonNode delete(String path) {
        return send(request(path).DELETE());
    }

    private HttpRequest.Builder request(String path) {
        if (!path.startsWith("/")) throw new IllegalArgumentException("path: " + path + " (expected: starting with /)");
        return HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token).header("Accept", "application/json, application/problem+json");
    }

    private JsonNode send(HttpRequest.Builder request) {
        HttpRequest r = request.build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(r, HttpResponse.BodyHandlers.ofByteArray());
        } catch (SSLHandshakeException e) {
            throw CliFailure.refused("TLS handshake with " + base + " failed: " + e.getMessage()
                    + " (is the trust bundle or --ca-file the one this server wrote?)");
        } catch (ConnectException e) {
            throw CliFailure.refused("cannot connect to " + base + ": connection refused (is the server running? see --server)");
        } catch (HttpTimeoutException e) {
            throw CliFailure.refused("no answer from " + base + " within " + TIMEOUT.toSeconds() + " s");
        } catch (IOException e) {
            throw CliFailure.refused("cannot reach " + base + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliFailure.refused("interrupted");
        }
        int status = response.statusCode();
        byte[] body = response.body();
        if (status >= 200 && status < 300) {
            if (body.length == 0) return NullNode.getInstance();
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw CliFailure.refused(r.method() + " " + r.uri().getPath() + ": the server answered " + status + " with a body that is not JSON");
            }
        }
        throw CliFailure.refused(describeError(r.method() + " " + r.uri().getPath(), status,
                response.headers().firstValue("Content-Type").orElse(""), body));
    }

    /** One line for an error response: the problem's title, status and detail, or the status alone. */
    static String describeError(String request, int status, String contentType, byte[] body) {
        if (contentType.startsWith("application/problem+json")) {
            try {
                JsonNode p = JSON.readTree(body);
                String title = p.path("title").asText("HTTP " + status);
                String detail = p.path("detail").asText("");
                return title + " (" + status + "): " + (detail.isEmpty() ? request : detail.replaceAll("[\\r\\n]+", " "));
            } catch (IOException e) {
                // fall through to the plain description
            }
        }
        return request + " failed with HTTP " + status;
    }

    static List<X509Certificate> readCertificates(Path file, String what) {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> out = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) out.add((X509Certificate) c);
            if (out.isEmpty()) throw CliFailure.usage(what + " " + file + " holds no certificate (expected: PEM certificates)");
            return out;
        } catch (NoSuchFileException e) {
            throw CliFailure.usage(what + " " + file + " does not exist (pass the server's trust bundle with --ca-file)");
        } catch (IOException | CertificateException e) {
            throw CliFailure.usage("cannot read " + what + " " + file + ": " + e.getMessage());
        }
    }
}
