package dev.holdfast.server.events;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.holdfast.events.EventClass;
import dev.holdfast.events.EventQuery;
import dev.holdfast.events.SecurityEvent;
import dev.holdfast.events.Severity;
import dev.holdfast.events.StoredEvent;
import dev.holdfast.events.export.ExportPipeline;
import dev.holdfast.events.export.ExporterStatus;
import dev.holdfast.events.internal.JdbcEventLog;
import dev.holdfast.events.ocsf.OcsfJson;
import dev.holdfast.server.http.Problem;
import dev.holdfast.server.http.RouteModule;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code GET /api/v1/events}: the event log, filtered and paged by sequence number, in Holdfast's
 * shape or ({@code format=ocsf}) as OCSF objects; {@code GET /api/v1/events/exporters}: each
 * exporter's health, cursor and lag.
 */
final class EventRoutes implements RouteModule {
    private static final JsonFactory FACTORY = new JsonFactory();
    static final int DEFAULT_LIMIT = 100;

    private final JdbcEventLog events;
    private final Supplier<Optional<ExportPipeline>> pipeline;

    EventRoutes(JdbcEventLog events, Supplier<Optional<ExportPipeline>> pipeline) {
        this.events = events;
        this.pipeline = pipeline;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/api/v1/events", this::list);
        routes.get("/api/v1/events/exporters", this::exporters);
    }

    private void list(Context ctx) throws IOException {
        int limit = intParam(ctx, "limit", DEFAULT_LIMIT, 1, 1000);
        long after = longParam(ctx, "after", 0);
        if (ctx.queryParam("tail") != null) {
            int tail = intParam(ctx, "tail", 0, 1, 1000);
            after = Math.max(after, events.lastSequence() - tail);
        }
        Optional<EventClass> eventClass = Optional.ofNullable(ctx.queryParam("class")).map(c -> enumParam(EventClass.class, "class", c));
        Optional<Severity> minSeverity = Optional.ofNullable(ctx.queryParam("minSeverity")).map(s -> enumParam(Severity.class, "minSeverity", s));
        Optional<Instant> since = Optional.ofNullable(ctx.queryParam("since")).map(s -> {
            try {
                return Instant.parse(s);
            } catch (DateTimeParseException e) {
                throw Problem.badRequest("bad-parameter", "since: '" + clip(s) + "' is not an RFC 3339 time such as 2026-11-30T10:00:00Z").exception();
            }
        });
        Optional<String> device = Optional.ofNullable(ctx.queryParam("device")).filter(s -> !s.isBlank());
        Optional<String> activity = Optional.ofNullable(ctx.queryParam("activity")).filter(s -> !s.isBlank());
        boolean ocsf = "ocsf".equals(ctx.queryParam("format"));
        if (ctx.queryParam("format") != null && !ocsf && !"holdfast".equals(ctx.queryParam("format"))) {
            throw Problem.badRequest("bad-parameter", "format: '" + clip(ctx.queryParam("format")) + "' (expected: holdfast or ocsf)").exception();
        }
        List<StoredEvent> page = events.read(new EventQuery(after, limit, eventClass, device, activity, minSeverity, since));
        ByteArrayOutputStream out = new ByteArrayOutputStream(page.size() * 400 + 64);
        out.writeBytes("{\"items\":[".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        for (int i = 0; i < page.size(); i++) {
            if (i > 0) out.write(',');
            if (ocsf) {
                OcsfJson.write(page.get(i), out);
            } else {
                try (JsonGenerator g = FACTORY.createGenerator(out)) {
                    g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
                    writeEvent(g, page.get(i));
                }
            }
        }
        long next = page.isEmpty() ? after : page.get(page.size() - 1).sequence();
        out.writeBytes(("],\"next\":" + next + ",\"lastSequence\":" + events.lastSequence() + "}").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        ctx.contentType("application/json").result(out.toByteArray());
    }

    static void writeEvent(JsonGenerator g, StoredEvent s) throws IOException {
        SecurityEvent e = s.event();
        g.writeStartObject();
        g.writeNumberField("sequence", s.sequence());
        g.writeStringField("id", e.id().toString());
        g.writeStringField("time", e.time().toString());
        g.writeStringField("class", e.eventClass().name().toLowerCase(Locale.ROOT));
        g.writeNumberField("classUid", e.eventClass().classUid());
        g.writeStringField("activity", e.activity());
        g.writeStringField("outcome", e.outcome().name().toLowerCase(Locale.ROOT));
        g.writeStringField("severity", e.severity().name().toLowerCase(Locale.ROOT));
        if (e.deviceId().isPresent()) g.writeStringField("deviceId", e.deviceId().get());
        g.writeStringField("actor", e.actor());
        g.writeStringField("source", e.sourceModule());
        g.writeStringField("message", e.message());
        g.writeObjectFieldStart("details");
        for (Map.Entry<String, String> d : e.details().entrySet()) g.writeStringField(d.getKey(), d.getValue());
        g.writeEndObject();
        g.writeEndObject();
    }

    private void exporters(Context ctx) throws IOException {
        List<ExporterStatus> all = pipeline.get().map(ExportPipeline::status).orElse(List.of());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("items");
            for (ExporterStatus s : all) {
                g.writeStartObject();
                g.writeStringField("name", s.name());
                g.writeStringField("type", s.type());
                g.writeStringField("state", s.state().name().toLowerCase(Locale.ROOT));
                g.writeNumberField("cursor", s.cursor());
                g.writeNumberField("lag", s.lag());
                g.writeNumberField("delivered", s.delivered());
                g.writeNumberField("failures", s.failures());
                if (s.lastError().isPresent()) g.writeStringField("lastError", s.lastError().get());
                if (s.failingSince().isPresent()) g.writeStringField("failingSince", s.failingSince().get().toString());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        ctx.contentType("application/json").result(out.toByteArray());
    }

    private static <E extends Enum<E>> E enumParam(Class<E> type, String name, String value) {
        for (E c : type.getEnumConstants()) if (c.name().equalsIgnoreCase(value.replace('-', '_'))) return c;
        throw Problem.badRequest("bad-parameter", name + ": '" + clip(value) + "' is not one of "
                + java.util.Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT)).toList()).exception();
    }

    private static int intParam(Context ctx, String name, int def, int min, int max) {
        String v = ctx.queryParam(name);
        if (v == null) return def;
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw Problem.badRequest("bad-parameter", name + ": '" + clip(v) + "' (expected: an integer " + min + ".." + max + ")").exception();
        }
    }

    private static long longParam(Context ctx, String name, long def) {
        String v = ctx.queryParam(name);
        if (v == null) return def;
        try {
            long n = Long.parseLong(v);
            if (n < 0) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw Problem.badRequest("bad-parameter", name + ": '" + clip(v) + "' (expected: a sequence number >= 0)").exception();
        }
    }

    private static String clip(String s) {
        String t = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return t.replaceAll("[\\p{Cntrl}]", "?");
    }
}
