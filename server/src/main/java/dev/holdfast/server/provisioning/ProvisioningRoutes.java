package dev.holdfast.server.provisioning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.provisioning.Enrollment;
import dev.holdfast.provisioning.EnrollmentJson;
import dev.holdfast.provisioning.LinkedHub;
import dev.holdfast.provisioning.ManufacturerCa;
import dev.holdfast.provisioning.Provisioning;
import dev.holdfast.provisioning.ProvisioningRefusal;
import dev.holdfast.provisioning.ProvisioningRefusedException;
import dev.holdfast.provisioning.RegistrationState;
import dev.holdfast.server.http.BearerAuthentication;
import dev.holdfast.server.http.Problem;
import dev.holdfast.server.http.RouteModule;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * The provisioning admin API under {@code /api/v1/provisioning} (bearer token, problem+json errors):
 * the id scope, linked hubs, manufacturer CAs with proof of possession, enrollment groups and
 * individual enrollments, registrations and deprovisioning. Shapes in {@code docs/provisioning.md}.
 */
public final class ProvisioningRoutes implements RouteModule {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_JSON_BYTES = 256 * 1024;
    private static final String BASE = "/api/v1/provisioning";

    private final Provisioning provisioning;

    public ProvisioningRoutes(Provisioning provisioning) {
        this.provisioning = provisioning;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get(BASE + "/scope", t(ctx -> ctx.json(JSON.createObjectNode().put("idScope", provisioning.idScope()))));
        routes.get(BASE + "/hubs", t(ctx -> {
            ArrayNode a = JSON.createArrayNode();
            provisioning.hubs().forEach(h -> a.add(hub(h)));
            ctx.json(JSON.createObjectNode().set("hubs", a));
        }));
        routes.put(BASE + "/hubs/{name}", t(this::linkHub));
        routes.delete(BASE + "/hubs/{name}", t(ctx -> {
            provisioning.unlinkHub(ctx.pathParam("name"), BearerAuthentication.actor(ctx));
            ctx.status(204);
        }));
        routes.get(BASE + "/manufacturer-cas", t(ctx -> {
            ArrayNode a = JSON.createArrayNode();
            provisioning.manufacturerCas().forEach(c -> a.add(ca(c)));
            ctx.json(JSON.createObjectNode().set("manufacturerCas", a));
        }));
        routes.post(BASE + "/manufacturer-cas", t(this::uploadCa));
        routes.get(BASE + "/manufacturer-cas/{name}", t(ctx -> ctx.json(ca(provisioning.manufacturerCa(ctx.pathParam("name"))))));
        routes.post(BASE + "/manufacturer-cas/{name}/verify", t(ctx -> {
            JsonNode body = body(ctx);
            byte[] proof = der(text(body, "certificate"), "CERTIFICATE", "certificate");
            ctx.json(ca(provisioning.verifyManufacturerCa(ctx.pathParam("name"), proof, BearerAuthentication.actor(ctx))));
        }));
        routes.put(BASE + "/manufacturer-cas/{name}/crl", t(ctx -> {
            JsonNode body = body(ctx);
            Optional<byte[]> crl = body.hasNonNull("crl") ? Optional.of(der(text(body, "crl"), "X509 CRL", "crl")) : Optional.empty();
            ctx.json(ca(provisioning.setManufacturerCrl(ctx.pathParam("name"), crl, BearerAuthentication.actor(ctx))));
        }));
        routes.delete(BASE + "/manufacturer-cas/{name}", t(ctx -> {
            provisioning.deleteManufacturerCa(ctx.pathParam("name"), BearerAuthentication.actor(ctx));
            ctx.status(204);
        }));
        for (String kind : new String[]{"group", "individual"}) {
            String path = BASE + (kind.equals("group") ? "/enrollment-groups" : "/individual-enrollments");
            routes.post(path, t(ctx -> {
                JsonNode body = body(ctx);
                Enrollment e = kind.equals("group")
                        ? provisioning.createGroup(EnrollmentJson.groupFrom(body, Instant.now()), BearerAuthentication.actor(ctx))
                        : provisioning.createIndividual(EnrollmentJson.individualFrom(body, Instant.now()), BearerAuthentication.actor(ctx));
                ctx.status(201).json(EnrollmentJson.enrollment(e));
            }));
            routes.get(path, t(ctx -> {
                ArrayNode a = JSON.createArrayNode();
                provisioning.enrollments(kind).forEach(e -> a.add(EnrollmentJson.enrollment(e)));
                ctx.json(JSON.createObjectNode().set("enrollments", a));
            }));
            routes.get(path + "/{id}", t(ctx -> ctx.json(EnrollmentJson.enrollment(provisioning.enrollment(kind, ctx.pathParam("id"))))));
            routes.post(path + "/{id}/disable", t(ctx -> ctx.json(EnrollmentJson.enrollment(
                    provisioning.setEnabled(kind, ctx.pathParam("id"), false, BearerAuthentication.actor(ctx))))));
            routes.post(path + "/{id}/enable", t(ctx -> ctx.json(EnrollmentJson.enrollment(
                    provisioning.setEnabled(kind, ctx.pathParam("id"), true, BearerAuthentication.actor(ctx))))));
            routes.delete(path + "/{id}", t(ctx -> {
                provisioning.deleteEnrollment(kind, ctx.pathParam("id"), BearerAuthentication.actor(ctx));
                ctx.status(204);
            }));
        }
        routes.get(BASE + "/registrations/{registrationId}", t(ctx -> {
            RegistrationState s = provisioning.registration(ctx.pathParam("registrationId")).orElseThrow(() -> ProvisioningRefusal.notFound(
                    "registration-not-found", "no registration '" + ctx.pathParam("registrationId") + "'").exception());
            ObjectNode n = JSON.createObjectNode();
            n.put("registrationId", s.registrationId());
            n.put("deviceId", s.deviceId());
            n.put("assignedHub", s.assignedHub());
            n.put("status", s.status().wireName());
            n.put("substatus", s.substatus().wireName());
            n.put("enrollment", s.enrollment());
            n.put("createdAt", s.createdAt().toString());
            n.put("updatedAt", s.updatedAt().toString());
            n.put("etag", s.etag());
            ctx.json(n);
        }));
        routes.post(BASE + "/devices/{id}/deprovision", t(ctx -> {
            JsonNode body = body(ctx);
            Provisioning.Deprovisioned d = provisioning.deprovision(ctx.pathParam("id"), body.path("reason").asText(null), BearerAuthentication.actor(ctx));
            ObjectNode n = JSON.createObjectNode();
            n.put("deviceId", d.deviceId());
            n.put("reason", d.reason());
            ArrayNode a = n.putArray("revokedSerials");
            d.revokedSerials().forEach(a::add);
            ctx.json(n);
        }));
    }

    private void linkHub(Context ctx) {
        JsonNode b = body(ctx);
        LinkedHub h = new LinkedHub(ctx.pathParam("name"), b.path("hostName").asText(null), b.path("weight").asInt(1), b.path("region").asText(""),
                !b.has("enabled") || b.get("enabled").asBoolean(true));
        ctx.json(hub(provisioning.linkHub(h, BearerAuthentication.actor(ctx))));
    }

    private void uploadCa(Context ctx) {
        JsonNode b = body(ctx);
        String name = text(b, "name");
        byte[] cert = der(text(b, "certificate"), "CERTIFICATE", "certificate");
        Optional<byte[]> crl = b.hasNonNull("crl") ? Optional.of(der(text(b, "crl"), "X509 CRL", "crl")) : Optional.empty();
        ManufacturerCa c = provisioning.uploadManufacturerCa(name, cert, crl, BearerAuthentication.actor(ctx));
        ctx.status(201).json(ca(c).put("verificationCode", c.verificationCode()));
    }

    static ObjectNode hub(LinkedHub h) {
        ObjectNode n = JSON.createObjectNode();
        n.put("name", h.name());
        n.put("hostName", h.hostName());
        n.put("weight", h.weight());
        n.put("region", h.region());
        n.put("enabled", h.enabled());
        return n;
    }

    /** A manufacturer CA; the verification code only while unverified (it proves nothing afterwards). */
    static ObjectNode ca(ManufacturerCa c) {
        ObjectNode n = JSON.createObjectNode();
        n.put("name", c.name());
        n.put("subject", c.subject());
        n.put("sha256", c.sha256());
        n.put("verified", c.verified());
        if (!c.verified()) n.put("verificationCode", c.verificationCode());
        n.put("hasCrl", c.crlDer().isPresent());
        n.put("createdAt", c.createdAt().toString());
        c.verifiedAt().ifPresent(v -> n.put("verifiedAt", v.toString()));
        return n;
    }

    private static JsonNode body(Context ctx) {
        byte[] raw;
        try {
            raw = ctx.req().getInputStream().readNBytes(MAX_JSON_BYTES + 1);
        } catch (IOException e) {
            throw Problem.badRequest("unreadable-body", "the request body could not be read").exception(e);
        }
        if (raw.length > MAX_JSON_BYTES) throw Problem.badRequest("body-too-large", "request body exceeds " + MAX_JSON_BYTES + " bytes").exception();
        try {
            JsonNode n = JSON.readTree(raw);
            if (n == null || !n.isObject()) throw Problem.badRequest("malformed-json", "the request body must be a JSON object").exception();
            return n;
        } catch (IOException e) {
            throw Problem.badRequest("malformed-json", "the request body is not JSON").exception(e);
        }
    }

    private static String text(JsonNode n, String name) {
        JsonNode v = n.get(name);
        if (v == null || !v.isTextual()) throw Problem.badRequest("invalid-request", name + ": a string is required").exception();
        return v.asText();
    }

    /** PEM (one block of {@code type}) or Base64 DER. */
    static byte[] der(String text, String type, String what) {
        String s = text.strip();
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        if (s.startsWith("-----BEGIN")) {
            int b = s.indexOf(begin);
            int e = s.indexOf(end);
            if (b != 0 || e < 0) throw Problem.badRequest("invalid-request", what + ": PEM must be one " + type + " block").exception();
            s = s.substring(begin.length(), e);
        }
        try {
            return Base64.getMimeDecoder().decode(s.getBytes(StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw Problem.badRequest("invalid-request", what + ": not PEM or Base64 DER").exception(e);
        }
    }

    /** Translates provisioning refusals to problem+json, once, for every route here. */
    static Handler t(Handler h) {
        return ctx -> {
            try {
                h.handle(ctx);
            } catch (ProvisioningRefusedException e) {
                ProvisioningRefusal r = e.refusal();
                String slug = r.code().matches("[a-z0-9]+(-[a-z0-9]+)*") ? r.code() : "refused";
                throw new Problem(r.httpStatus(), slug, title(r.httpStatus()), r.message()).exception(e);
            }
        };
    }

    private static String title(int status) {
        return switch (status) {
            case 400 -> "Invalid request";
            case 401 -> "Not authenticated";
            case 403 -> "Forbidden";
            case 404 -> "Not found";
            case 409 -> "Conflict";
            case 429 -> "Too many requests";
            default -> "Unavailable";
        };
    }
}
