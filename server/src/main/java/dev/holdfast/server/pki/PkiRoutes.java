package dev.holdfast.server.pki;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.pki.Bytes;
import dev.holdfast.pki.CaInfo;
import dev.holdfast.pki.CertificateFilter;
import dev.holdfast.pki.IssuanceRequest;
import dev.holdfast.pki.IssuedCertificate;
import dev.holdfast.pki.MalformedInputException;
import dev.holdfast.pki.Pki;
import dev.holdfast.pki.Profile;
import dev.holdfast.pki.Refusal;
import dev.holdfast.pki.RevocationReason;
import dev.holdfast.pki.SubjectAuthorization;
import dev.holdfast.pki.est.EstCredential;
import dev.holdfast.pki.est.EstMessages;
import dev.holdfast.pki.internal.DefaultCertificateAuthority;
import dev.holdfast.pki.ocsp.OcspResponder;
import dev.holdfast.server.http.ApiServer;
import dev.holdfast.server.http.BearerAuthentication;
import dev.holdfast.server.http.Problem;
import dev.holdfast.server.http.RouteModule;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The PKI over HTTPS. Public, as relying parties need them without credentials: CA certificates
 * ({@code /pki/ca/NAME.crt}), CRLs ({@code /pki/crl/NAME.crl}), OCSP ({@code /pki/ocsp/NAME}, GET and
 * POST, RFC 6960 Appendix A) and EST ({@code /.well-known/est/}, RFC 7030, each operation with its
 * own authorization). Admin, under the bearer-token API: {@code /api/v1/ca}, {@code /api/v1/certificates},
 * {@code /api/v1/est/tokens}.
 */
public final class PkiRoutes implements RouteModule {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_JSON_BYTES = 64 * 1024;
    private final Pki pki;
    private final Duration defaultTokenValidity;

    public PkiRoutes(Pki pki, Duration defaultTokenValidity) {
        this.pki = pki;
        this.defaultTokenValidity = defaultTokenValidity;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/pki/ca/{file}", this::caCertificate);
        routes.get("/pki/crl/{file}", this::crl);
        routes.post("/pki/ocsp/{ca}", this::ocspPost);
        routes.post("/pki/ocsp", this::ocspPost);
        routes.get("/pki/ocsp/{ca}/<request>", this::ocspGet);

        routes.get("/.well-known/est/cacerts", ctx -> estCaCerts(ctx, Optional.empty()));
        routes.get("/.well-known/est/{label}/cacerts", ctx -> estCaCerts(ctx, Optional.of(ctx.pathParam("label"))));
        routes.get("/.well-known/est/csrattrs", this::estCsrAttrs);
        routes.post("/.well-known/est/simpleenroll", this::estEnroll);
        routes.post("/.well-known/est/{label}/simpleenroll", this::estEnroll);
        routes.post("/.well-known/est/simplereenroll", this::estReenroll);
        routes.post("/.well-known/est/{label}/simplereenroll", this::estReenroll);

        routes.get("/api/v1/ca", this::listAuthorities);
        routes.get("/api/v1/ca/{name}", this::showAuthority);
        routes.post("/api/v1/ca/{name}/crl", this::publishCrl);
        routes.get("/api/v1/certificates", this::listCertificates);
        routes.post("/api/v1/certificates", this::issue);
        routes.get("/api/v1/certificates/{serial}", this::showCertificate);
        routes.post("/api/v1/certificates/{serial}/revoke", this::revoke);
        routes.post("/api/v1/est/tokens", this::createEstToken);
    }

    // ----------------------------------------------------------------- distribution points

    private void caCertificate(Context ctx) throws Exception {
        String name = stripSuffix(ctx.pathParam("file"), ".crt");
        X509Certificate cert = pki.ca().caCertificate(name);
        ctx.contentType("application/pkix-cert").header("Cache-Control", "max-age=3600").result(cert.getEncoded());
    }

    private void crl(Context ctx) {
        String name = stripSuffix(ctx.pathParam("file"), ".crl");
        ctx.contentType("application/pkix-crl").header("Cache-Control", "max-age=60").result(pki.crls().crl(name));
    }

    private void ocspPost(Context ctx) {
        byte[] body = boundedBody(ctx, OcspResponder.MAX_REQUEST_BYTES);
        ocspAnswer(ctx, body);
    }

    /**
     * RFC 6960 Appendix A.1: GET {url}/{url-encoding of base-64 encoding of the DER OCSPRequest}. The
     * request is read from the raw request path: a decoded path parameter cannot tell a {@code +} of
     * the base64 (sent as {@code %2B}, or bare, as the JDK's OCSP client does) from a space. Base64url
     * ({@code -}, {@code _}) is accepted too.
     */
    private void ocspGet(Context ctx) {
        String raw = ctx.req().getRequestURI();
        int ocsp = raw.indexOf("/pki/ocsp/");
        int slash = ocsp < 0 ? -1 : raw.indexOf('/', ocsp + "/pki/ocsp/".length());
        byte[] der = slash < 0 ? new byte[0] : ocspGetRequest(raw.substring(slash + 1));
        ocspAnswer(ctx, der); // an empty or undecodable request is answered as malformedRequest by the responder
    }

    /** The DER bytes of the request part of an OCSP GET path, or none when it is not percent-encoded base64. */
    static byte[] ocspGetRequest(String encodedPath) {
        if (encodedPath.length() > 4 * OcspResponder.MAX_REQUEST_BYTES) return new byte[0];
        StringBuilder base64 = new StringBuilder(encodedPath.length());
        for (int i = 0; i < encodedPath.length(); i++) {
            char c = encodedPath.charAt(i);
            if (c == '%') {
                if (i + 2 >= encodedPath.length()) return new byte[0];
                int hi = Character.digit(encodedPath.charAt(i + 1), 16);
                int lo = Character.digit(encodedPath.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) return new byte[0];
                c = (char) (hi << 4 | lo);
                i += 2;
            }
            if (c == '-') c = '+';
            else if (c == '_') c = '/';
            base64.append(c);
        }
        try {
            return Base64.getDecoder().decode(base64.toString());
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }

    private void ocspAnswer(Context ctx, byte[] der) {
        byte[] response = pki.ocsp().respond(der);
        ctx.contentType("application/ocsp-response").result(response);
    }

    // ----------------------------------------------------------------- EST (RFC 7030)

    private void estCaCerts(Context ctx, Optional<String> label) {
        estBody(ctx, pki.est().caCertificates(label));
    }

    private void estCsrAttrs(Context ctx) {
        ctx.status(200).contentType("application/csrattrs").header("Content-Transfer-Encoding", "base64").result(pki.est().csrAttributes());
    }

    private void estEnroll(Context ctx) {
        byte[] body = boundedBody(ctx, EstMessages.MAX_BODY_BYTES);
        estBody(ctx, pki.est().simpleEnroll(body, credential(ctx), ctx.ip()));
    }

    private void estReenroll(Context ctx) {
        byte[] body = boundedBody(ctx, EstMessages.MAX_BODY_BYTES);
        estBody(ctx, pki.est().simpleReenroll(body, credential(ctx), ctx.ip()));
    }

    private static void estBody(Context ctx, byte[] base64) {
        ctx.status(200).contentType("application/pkcs7-mime; smime-type=certs-only").header("Content-Transfer-Encoding", "base64").result(base64);
    }

    /**
     * RFC 7030 §3.2.3: a bootstrap token in HTTP Basic (as the password) or as a Bearer token;
     * otherwise the TLS client certificate, if any.
     */
    private static EstCredential credential(Context ctx) {
        String auth = ctx.header("Authorization");
        if (auth != null) {
            int sp = auth.indexOf(' ');
            String scheme = sp < 0 ? auth : auth.substring(0, sp);
            String value = sp < 0 ? "" : auth.substring(sp + 1).trim();
            if (scheme.equalsIgnoreCase("Bearer")) return new EstCredential.BootstrapToken(value);
            if (scheme.equalsIgnoreCase("Basic")) {
                String decoded;
                try {
                    decoded = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    throw Refusal.unauthenticated("bad-authorization", "the Basic credentials are not base64");
                }
                int colon = decoded.indexOf(':');
                return new EstCredential.BootstrapToken(colon < 0 ? decoded : decoded.substring(colon + 1));
            }
            throw Refusal.unauthenticated("bad-authorization", "authorization scheme '" + scheme + "' is not accepted (expected: Basic or Bearer)");
        }
        List<X509Certificate> chain = ApiServer.clientCertificates(ctx);
        return chain.isEmpty() ? new EstCredential.None() : new EstCredential.ClientCertificate(chain);
    }

    // ----------------------------------------------------------------- admin API

    private void listAuthorities(Context ctx) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (CaInfo ca : pki.ca().authorities()) out.add(view(ca, false));
        ctx.json(out);
    }

    private void showAuthority(Context ctx) {
        String name = ctx.pathParam("name");
        CaInfo ca = pki.ca().authorities().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> Refusal.notFound("unknown-ca", "certificate authority '" + name + "' does not exist"));
        ctx.json(view(ca, true));
    }

    private void publishCrl(Context ctx) {
        String name = ctx.pathParam("name");
        long size = pki.crls().publish(name);
        ctx.json(Map.of("ca", name, "bytes", size, "url", pki.ca().settings().crlUrl(name).toString()));
    }

    private Map<String, Object> view(CaInfo ca, boolean withPem) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", ca.name());
        m.put("role", ca.role().name().toLowerCase());
        m.put("status", ca.status().name().toLowerCase());
        m.put("keyLocation", ca.keyLocation());
        ca.parent().ifPresent(p -> m.put("parent", p));
        ca.certificate().ifPresent(c -> {
            m.put("subject", c.getSubjectX500Principal().getName());
            m.put("notBefore", c.getNotBefore().toInstant().toString());
            m.put("notAfter", c.getNotAfter().toInstant().toString());
            m.put("serial", c.getSerialNumber().toString(16));
            try {
                m.put("sha256", DefaultCertificateAuthority.sha256Hex(c.getEncoded()));
                if (withPem) m.put("pem", pem(c.getEncoded()));
            } catch (java.security.cert.CertificateEncodingException e) {
                throw new IllegalStateException(e);
            }
            if (ca.role() == CaInfo.Role.ISSUING) {
                m.put("crlUrl", pki.ca().settings().crlUrl(ca.name()).toString());
                m.put("ocspUrl", pki.ca().settings().ocspUrl(ca.name()).toString());
            }
        });
        return m;
    }

    private void listCertificates(Context ctx) {
        int limit = intParam(ctx, "limit", 100);
        CertificateFilter f = new CertificateFilter(opt(ctx, "serial"), opt(ctx, "commonName"), opt(ctx, "deviceId"), opt(ctx, "sha256"),
                opt(ctx, "ca"), opt(ctx, "status").map(s -> parseStatus(s)), limit, opt(ctx, "after"));
        List<IssuedCertificate> found = pki.ca().search(f);
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("items", found.stream().map(c -> view(c, false)).toList());
        if (found.size() == limit) page.put("next", found.get(found.size() - 1).serialHex());
        ctx.json(page);
    }

    private static IssuedCertificate.Status parseStatus(String s) {
        try {
            return IssuedCertificate.Status.valueOf(s.toUpperCase());
        } catch (IllegalArgumentException e) {
            throw Refusal.invalid("bad-status", "status '" + s + "' is not one of good, revoked");
        }
    }

    private void showCertificate(Context ctx) {
        IssuedCertificate c = pki.ca().find(ctx.pathParam("serial")).orElseThrow(() ->
                Refusal.notFound("unknown-certificate", "no certificate with serial " + ctx.pathParam("serial")));
        ctx.json(view(c, true));
    }

    private void issue(Context ctx) {
        JsonNode body = jsonBody(ctx);
        Profile profile = Profile.parse(text(body, "profile").orElse("device"));
        String cn = text(body, "commonName").orElseThrow(() -> Refusal.invalid("missing-field", "commonName: missing (expected: the subject CN)"));
        byte[] csr = csrBytes(text(body, "csr").orElseThrow(() -> Refusal.invalid("missing-field", "csr: missing (expected: a PEM or base64 DER PKCS#10 request)")));
        Optional<Duration> validity = text(body, "validity").map(PkiRoutes::duration);
        SubjectAuthorization who = new SubjectAuthorization(cn, strings(body, "dnsNames"), strings(body, "ipAddresses"), text(body, "deviceId"));
        IssuedCertificate c = pki.ca().issue(new IssuanceRequest(Bytes.wrapOwned(csr), profile, who, validity, BearerAuthentication.actor(ctx)));
        Map<String, Object> v = view(c, true);
        v.put("chainPem", pki.ca().chain(c.caName()).stream().map(x -> {
            try {
                return pem(x.getEncoded());
            } catch (java.security.cert.CertificateEncodingException e) {
                throw new IllegalStateException(e);
            }
        }).reduce("", String::concat));
        ctx.status(201).json(v);
    }

    private void revoke(Context ctx) {
        JsonNode body = ctx.bodyAsBytes().length == 0 ? JSON.createObjectNode() : jsonBody(ctx);
        RevocationReason reason = text(body, "reason").map(RevocationReason::parse).orElse(RevocationReason.UNSPECIFIED);
        IssuedCertificate c = pki.ca().revoke(ctx.pathParam("serial"), reason, BearerAuthentication.actor(ctx));
        ctx.json(view(c, false));
    }

    private void createEstToken(Context ctx) {
        JsonNode body = jsonBody(ctx);
        String cn = text(body, "commonName").orElseThrow(() -> Refusal.invalid("missing-field", "commonName: missing (expected: the identity the token enrolls)"));
        Profile profile = Profile.parse(text(body, "profile").orElse("device"));
        Duration validity = text(body, "validity").map(PkiRoutes::duration).orElse(defaultTokenValidity);
        var created = pki.tokens().create(cn, text(body, "deviceId").or(() -> profile == Profile.DEVICE ? Optional.of(cn) : Optional.empty()),
                profile, validity, BearerAuthentication.actor(ctx));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", created.grant().id());
        m.put("commonName", created.grant().commonName());
        m.put("profile", created.grant().profile().id());
        m.put("expiresAt", created.grant().expiresAt().toString());
        m.put("token", created.token());
        ctx.status(201).json(m);
    }

    private Map<String, Object> view(IssuedCertificate c, boolean withPem) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("serial", c.serialHex());
        m.put("ca", c.caName());
        m.put("profile", c.profile().id());
        m.put("subject", c.subject());
        m.put("commonName", c.commonName());
        c.deviceId().ifPresent(d -> m.put("deviceId", d));
        m.put("sha256", c.sha256());
        m.put("notBefore", c.notBefore().toString());
        m.put("notAfter", c.notAfter().toString());
        Duration life = Duration.between(c.notBefore(), c.notAfter());
        Instant renewFrom = c.notBefore().plusMillis((long) (life.toMillis() * pki.ca().settings().renewalFraction()));
        m.put("renewFrom", renewFrom.toString());
        m.put("status", c.status().name().toLowerCase());
        c.revokedAt().ifPresent(t -> m.put("revokedAt", t.toString()));
        c.revocationReason().ifPresent(r -> m.put("revocationReason", r.rfcName()));
        if (withPem) m.put("pem", pem(c.der().toArray()));
        return m;
    }

    // ----------------------------------------------------------------- helpers

    private static byte[] boundedBody(Context ctx, int max) {
        long declared = ctx.contentLength();
        if (declared > max) {
            throw new Problem(413, "body-too-large", "Content too large", "request body of " + declared + " bytes exceeds the limit of " + max).exception();
        }
        byte[] body = ctx.bodyAsBytes();
        if (body.length > max) {
            throw new Problem(413, "body-too-large", "Content too large", "request body of " + body.length + " bytes exceeds the limit of " + max).exception();
        }
        return body;
    }

    private static JsonNode jsonBody(Context ctx) {
        byte[] raw = boundedBody(ctx, MAX_JSON_BYTES);
        try {
            JsonNode n = JSON.readTree(raw);
            if (n == null || !n.isObject()) throw Refusal.invalid("malformed-body", "request body is not a JSON object");
            return n;
        } catch (java.io.IOException e) {
            throw Refusal.invalid("malformed-body", "request body is not valid JSON: " + e.getMessage());
        }
    }

    private static Optional<String> text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) return Optional.empty();
        if (!v.isTextual()) throw Refusal.invalid("bad-field", field + ": expected a string");
        return Optional.of(v.asText());
    }

    private static List<String> strings(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) return List.of();
        if (!v.isArray()) throw Refusal.invalid("bad-field", field + ": expected an array of strings");
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isTextual()) throw Refusal.invalid("bad-field", field + ": expected an array of strings");
            out.add(e.asText());
        }
        return out;
    }

    private static Duration duration(String s) {
        try {
            return Duration.parse(s);
        } catch (DateTimeParseException e) {
            throw Refusal.invalid("bad-duration", "'" + s + "' is not an ISO-8601 duration such as P30D");
        }
    }

    private static byte[] csrBytes(String text) {
        try {
            return EstMessages.decodeCsrBody(text.getBytes(StandardCharsets.US_ASCII));
        } catch (MalformedInputException e) {
            throw Refusal.invalid("malformed-csr", e.getMessage());
        }
    }

    private static Optional<String> opt(Context ctx, String name) {
        return Optional.ofNullable(ctx.queryParam(name)).filter(s -> !s.isBlank());
    }

    private static int intParam(Context ctx, String name, int dflt) {
        String v = ctx.queryParam(name);
        if (v == null) return dflt;
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw Refusal.invalid("bad-parameter", name + ": '" + v + "' is not a number");
        }
    }

    private static String stripSuffix(String file, String suffix) {
        return file.endsWith(suffix) ? file.substring(0, file.length() - suffix.length()) : file;
    }

    static String pem(byte[] der) {
        return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END CERTIFICATE-----\n";
    }
}
