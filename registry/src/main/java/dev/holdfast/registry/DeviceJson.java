package dev.holdfast.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The JSON shapes of the registry, shared by the REST API, bulk import and export, and documented in
 * {@code docs/registry.md}: a device (the shape of query rows too), a twin, a model, a job, and an
 * import/export line. Parsing reads untrusted JSON: every mistake is a refusal that names the field and
 * what was expected, never another exception.
 */
public final class DeviceJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Members of a device document that describe state the registry keeps itself; ignored on input. */
    private static final Set<String> READ_ONLY = Set.of("version", "etag", "createdAt", "updatedAt", "connectionState",
            "lastActivityTime", "health", "tagsVersion", "$metadata");
    private static final Set<String> WRITABLE = Set.of("deviceId", "hub", "status", "statusReason", "lifecycle", "authentication",
            "parentId", "modelId", "capabilities", "tags", "properties");

    private DeviceJson() {
    }

    // ------------------------------------------------------------------------------------ output

    /** A device as the API shows it; the shape of {@code DeviceQueries} rows plus authentication and times. */
    public static ObjectNode device(Device d) {
        ObjectNode o = NODES.objectNode();
        o.put("deviceId", d.id().value());
        o.put("hub", d.hub().orElse(null));
        o.put("status", d.status().wireName());
        o.put("statusReason", d.statusReason().orElse(null));
        o.put("lifecycle", d.lifecycle().wireName());
        o.set("authentication", authentication(d.authentication()));
        o.put("parentId", d.parent().map(DeviceId::value).orElse(null));
        o.put("modelId", d.model().orElse(null));
        o.set("capabilities", NODES.objectNode().put("gateway", d.capabilities().gateway()));
        o.put("connectionState", d.connectionState().wireName());
        o.put("lastActivityTime", d.lastActivity().map(t -> dev.holdfast.registry.query.JsonValues.timestamp(t.toEpochMilli())).orElse(null));
        o.set("health", health(d.health()));
        o.set("tags", d.tags().toNode());
        o.put("tagsVersion", d.tagsVersion());
        ObjectNode props = o.putObject("properties");
        props.set("desired", d.twin().desired().toNode().put("$version", d.twin().desiredVersion()));
        props.set("reported", d.twin().reported().toNode().put("$version", d.twin().reportedVersion()));
        o.put("createdAt", d.createdAt().toString());
        o.put("updatedAt", d.updatedAt().toString());
        o.put("version", d.version());
        o.put("etag", d.etag().tag());
        return o;
    }

    /**
     * A twin as IoT Hub shows one: {@code {"deviceId", "etag", "properties": {"desired": {..., "$metadata",
     * "$version"}, "reported": {...}}}}.
     */
    public static ObjectNode twin(Twin t) {
        ObjectNode o = NODES.objectNode();
        o.put("deviceId", t.deviceId().value());
        o.put("etag", t.etag().tag());
        ObjectNode props = o.putObject("properties");
        ObjectNode meta = TwinMetadata.expand(t.metadata(), t.desired(), t.reported());
        ObjectNode desired = t.desired().toNode();
        desired.set("$metadata", meta.path("desired").isObject() ? meta.get("desired") : NODES.objectNode());
        desired.put("$version", t.desiredVersion());
        ObjectNode reported = t.reported().toNode();
        reported.set("$metadata", meta.path("reported").isObject() ? meta.get("reported") : NODES.objectNode());
        reported.put("$version", t.reportedVersion());
        props.set("desired", desired);
        props.set("reported", reported);
        return o;
    }

    public static ObjectNode model(DeviceModel m) {
        DeviceModel.Definition d = m.definition();
        ObjectNode o = NODES.objectNode();
        o.put("id", d.id());
        o.put("manufacturer", d.manufacturer());
        o.put("model", d.model());
        o.put("hardwareRevision", d.hardwareRevision().orElse(null));
        o.put("endOfSupport", d.endOfSupport().map(LocalDate::toString).orElse(null));
        o.put("securityUpdateHorizon", d.securityUpdateHorizon().map(LocalDate::toString).orElse(null));
        o.put("createdAt", m.createdAt().toString());
        o.put("updatedAt", m.updatedAt().toString());
        return o;
    }

    public static ObjectNode job(RegistryJob j) {
        ObjectNode o = NODES.objectNode();
        o.put("id", j.id());
        o.put("kind", j.kind().wireName());
        o.put("status", j.status().wireName());
        o.put("source", j.source().orElse(null));
        o.put("position", j.position());
        if (j.total().isPresent()) o.put("total", j.total().get());
        else o.putNull("total");
        if (j.total().isPresent() && j.total().get() > 0) {
            o.put("progress", Math.min(1.0, Math.round(1000.0 * j.position() / j.total().get()) / 1000.0));
        } else {
            o.put("progress", j.isFinished() ? 1.0 : 0.0);
        }
        o.put("succeeded", j.succeeded());
        o.put("failed", j.failed());
        ObjectNode counts = o.putObject("counts");
        counts.put("created", j.counts().created());
        counts.put("updated", j.counts().updated());
        counts.put("unchanged", j.counts().unchanged());
        counts.put("deleted", j.counts().deleted());
        ArrayNode errors = o.putArray("errors");
        for (RegistryJob.LineError e : j.errors()) errors.addObject().put("line", e.line()).put("message", e.message());
        o.put("createdBy", j.createdBy());
        o.put("createdAt", j.createdAt().toString());
        o.put("updatedAt", j.updatedAt().toString());
        return o;
    }

    /** One line of an export: what an import needs to recreate the device, members left out when unset. */
    public static ObjectNode exportLine(Device d) {
        ObjectNode o = NODES.objectNode();
        o.put("deviceId", d.id().value());
        d.hub().ifPresent(h -> o.put("hub", h));
        o.put("status", d.status().wireName());
        d.statusReason().ifPresent(r -> o.put("statusReason", r));
        o.put("lifecycle", d.lifecycle().wireName());
        o.set("authentication", authentication(d.authentication()));
        d.parent().ifPresent(p -> o.put("parentId", p.value()));
        d.model().ifPresent(m -> o.put("modelId", m));
        if (d.capabilities().gateway()) o.set("capabilities", NODES.objectNode().put("gateway", true));
        o.set("tags", d.tags().toNode());
        ObjectNode props = o.putObject("properties");
        props.set("desired", d.twin().desired().toNode());
        props.set("reported", d.twin().reported().toNode());
        return o;
    }

    private static ObjectNode authentication(Authentication a) {
        ObjectNode o = NODES.objectNode().put("type", a.type());
        if (a instanceof Authentication.Certificate c) {
            ArrayNode arr = o.putArray("thumbprints");
            c.thumbprints().forEach(arr::add);
        }
        return o;
    }

    private static ObjectNode health(HealthSummary h) {
        ObjectNode o = NODES.objectNode().put("compliance", h.compliance().wireName());
        if (h.risk().isPresent()) o.put("risk", h.risk().get());
        else o.putNull("risk");
        ArrayNode reasons = o.putArray("reasons");
        h.reasons().forEach(reasons::add);
        return o;
    }

    // ------------------------------------------------------------------------------------ input

    /** What an import line asks for. */
    public enum ImportMode {
        /** Create the device, or make an existing one as the line says (the default). */
        CREATE_OR_UPDATE("createOrUpdate"),
        /** Create the device; refuse the line when it exists. */
        CREATE("create"),
        /** Delete the device if it exists; only {@code deviceId} matters. */
        DELETE("delete");

        private final String wireName;

        ImportMode(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        static ImportMode parse(String text) {
            for (ImportMode m : values()) if (m.wireName.equals(text)) return m;
            throw RegistryRefusal.invalid("invalid-import-mode", "importMode: '" + RegistryLimits.excerpt(text)
                    + "' (expected: createOrUpdate, create or delete)").exception();
        }
    }

    /** A parsed import line: the device it describes and what to do with it. */
    public record ImportLine(NewDevice device, ImportMode mode) {
    }

    /**
     * Parses a device document sent to create a device (REST) or carried by an import line.
     *
     * @param allowReported whether {@code properties.reported} may be set (imports and restores: yes;
     *                      an operator creating a device: no, reported properties are the device's)
     */
    public static NewDevice parseNewDevice(JsonNode body, boolean allowReported) {
        ObjectNode o = object(body, "request body");
        checkMembers(o, WRITABLE, Set.of());
        return newDevice(o, allowReported, false);
    }

    /** Parses one import line (a JSON object); {@code importMode} selects the {@link ImportMode}. */
    public static ImportLine parseImportLine(JsonNode line) {
        return importLine(object(line, "line").deepCopy());
    }

    /**
     * Parses one import line from its UTF-8 bytes, the bulk path: the documents of the device are taken
     * from the parsed tree without copies.
     */
    public static ImportLine parseImportLine(byte[] utf8, int offset, int length) {
        JsonNode node;
        try {
            node = JsonDocument.JSON.readTree(utf8, offset, length);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            String m = String.valueOf(e.getOriginalMessage());
            int nl = m.indexOf('\n');
            throw RegistryRefusal.invalid("malformed-json", "not valid JSON: " + RegistryLimits.excerpt(nl > 0 ? m.substring(0, nl) : m)
                    + (e.getLocation() != null ? " at column " + e.getLocation().getColumnNr() : "")).exception();
        } catch (java.io.IOException e) {
            throw RegistryRefusal.invalid("malformed-json", "not valid JSON").exception();
        }
        if (node == null) throw RegistryRefusal.invalid("malformed-json", "not valid JSON: empty").exception();
        return importLine(object(node, "line"));
    }

    /** {@code o} is this parser's own tree: its subtrees become documents without copies. */
    private static ImportLine importLine(ObjectNode o) {
        checkMembers(o, WRITABLE, Set.of("importMode"));
        ImportMode mode = o.has("importMode") ? ImportMode.parse(text(o, "importMode").orElse("")) : ImportMode.CREATE_OR_UPDATE;
        if (mode == ImportMode.DELETE) {
            DeviceId id = DeviceId.parse(text(o, "deviceId").orElseThrow(() -> missing("deviceId")));
            return new ImportLine(NewDevice.builder(id).build(), mode);
        }
        return new ImportLine(newDevice(o, true, true), mode);
    }

    private static NewDevice newDevice(ObjectNode o, boolean allowReported, boolean owned) {
        DeviceId id = DeviceId.parse(text(o, "deviceId").orElseThrow(() -> missing("deviceId")));
        NewDevice.Builder b = NewDevice.builder(id);
        text(o, "hub").ifPresent(b::hub);
        text(o, "status").map(DeviceStatus::parse).ifPresent(b::status);
        text(o, "statusReason").ifPresent(b::statusReason);
        text(o, "lifecycle").map(LifecycleState::parse).ifPresent(b::lifecycle);
        authentication(o.get("authentication")).ifPresent(b::authentication);
        text(o, "parentId").map(DeviceId::parse).ifPresent(b::parent);
        text(o, "modelId").ifPresent(b::model);
        JsonNode caps = o.get("capabilities");
        if (caps != null && !caps.isNull()) {
            ObjectNode c = object(caps, "capabilities");
            checkMembers(c, Set.of("gateway"), Set.of(), "capabilities.");
            JsonNode g = c.get("gateway");
            if (g != null && !g.isNull() && !g.isBoolean()) throw invalidField("capabilities.gateway", "expected true or false");
            b.capabilities(new Capabilities(g != null && g.asBoolean()));
        }
        optionalObject(o, "tags").ifPresent(t -> b.tags(owned ? JsonDocument.adopt(t) : JsonDocument.of(t)));
        JsonNode props = o.get("properties");
        if (props != null && !props.isNull()) {
            ObjectNode p = object(props, "properties");
            checkMembers(p, Set.of("desired", "reported"), Set.of(), "properties.");
            optionalObject(p, "desired").map(DeviceJson::withoutSystemMembers)
                    .ifPresent(d -> b.desired(owned ? JsonDocument.adopt(d) : JsonDocument.of(d)));
            Optional<ObjectNode> reported = optionalObject(p, "reported").map(DeviceJson::withoutSystemMembers);
            if (reported.isPresent() && !reported.get().isEmpty()) {
                if (!allowReported) {
                    throw invalidField("properties.reported", "reported properties are written by the device, not when it is created");
                }
                b.reported(owned ? JsonDocument.adopt(reported.get()) : JsonDocument.of(reported.get()));
            }
        }
        return b.build();
    }

    /** {@code $version} and {@code $metadata}, as a twin read back shows them, are not input. */
    private static ObjectNode withoutSystemMembers(ObjectNode n) {
        if (!n.has("$version") && !n.has("$metadata")) return n;
        ObjectNode copy = n.deepCopy();
        copy.remove("$version");
        copy.remove("$metadata");
        return copy;
    }

    /** Parses {@code {"type": "certificate", "thumbprints": [...]}}; empty when absent. */
    public static Optional<Authentication> authentication(JsonNode n) {
        if (n == null || n.isNull()) return Optional.empty();
        ObjectNode o = object(n, "authentication");
        checkMembers(o, Set.of("type", "thumbprints"), Set.of(), "authentication.");
        String type = text(o, "type", "authentication.type").orElseThrow(() -> missing("authentication.type"));
        List<String> thumbprints = new ArrayList<>();
        JsonNode t = o.get("thumbprints");
        if (t != null && !t.isNull()) {
            if (!t.isArray()) throw invalidField("authentication.thumbprints", "expected an array of SHA-256 thumbprints");
            for (JsonNode x : t) {
                if (!x.isTextual()) throw invalidField("authentication.thumbprints", "expected an array of SHA-256 thumbprints");
                thumbprints.add(x.textValue());
            }
        }
        return Optional.of(Authentication.parse(type, thumbprints));
    }

    /** Parses a model definition ({@code id} from the body or, when given, from the path). */
    public static DeviceModel.Definition parseModel(JsonNode body, Optional<String> pathId) {
        ObjectNode o = object(body, "request body");
        checkMembers(o, Set.of("id", "manufacturer", "model", "hardwareRevision", "endOfSupport", "securityUpdateHorizon"),
                Set.of("createdAt", "updatedAt"));
        Optional<String> bodyId = text(o, "id");
        if (pathId.isPresent() && bodyId.isPresent() && !pathId.get().equals(bodyId.get())) {
            throw invalidField("id", "'" + RegistryLimits.excerpt(bodyId.get()) + "' differs from the id in the path '" + RegistryLimits.excerpt(pathId.get()) + "'");
        }
        String id = pathId.or(() -> bodyId).orElseThrow(() -> missing("id"));
        return DeviceModel.Definition.parse(id, text(o, "manufacturer").orElseThrow(() -> missing("manufacturer")),
                text(o, "model").orElseThrow(() -> missing("model")), text(o, "hardwareRevision"),
                date(o, "endOfSupport"), date(o, "securityUpdateHorizon"));
    }

    // ------------------------------------------------------------------------------------ field readers

    /** {@code node} as an object, or a refusal naming {@code what}. */
    public static ObjectNode object(JsonNode node, String what) {
        if (node instanceof ObjectNode o) return o;
        throw invalidField(what, "expected a JSON object");
    }

    /** A string member; empty when absent or null; a refusal when it is another type. */
    public static Optional<String> text(ObjectNode o, String field) {
        return text(o, field, field);
    }

    private static Optional<String> text(ObjectNode o, String field, String path) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) return Optional.empty();
        if (!v.isTextual()) throw invalidField(path, "expected a string");
        return Optional.of(v.textValue());
    }

    private static Optional<ObjectNode> optionalObject(ObjectNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) return Optional.empty();
        return Optional.of(object(v, field));
    }

    private static Optional<LocalDate> date(ObjectNode o, String field) {
        return text(o, field).map(s -> {
            try {
                return LocalDate.parse(s);
            } catch (DateTimeParseException e) {
                throw invalidField(field, "'" + RegistryLimits.excerpt(s) + "' is not a date yyyy-mm-dd");
            }
        });
    }

    /** Refuses members outside {@code allowed} and {@code alsoAccepted} (read-only members are ignored). */
    public static void checkMembers(ObjectNode o, Set<String> allowed, Set<String> alsoAccepted) {
        checkMembers(o, allowed, alsoAccepted, "");
    }

    private static void checkMembers(ObjectNode o, Set<String> allowed, Set<String> alsoAccepted, String prefix) {
        Iterator<Map.Entry<String, JsonNode>> it = o.fields();
        while (it.hasNext()) {
            String k = it.next().getKey();
            if (allowed.contains(k) || alsoAccepted.contains(k) || (prefix.isEmpty() && READ_ONLY.contains(k))) continue;
            List<String> sorted = new ArrayList<>(allowed);
            sorted.sort(null);
            throw invalidField(prefix + RegistryLimits.excerpt(k), "unknown member (expected: " + String.join(", ", sorted) + ")");
        }
    }

    public static RegistryRefusedException invalidField(String field, String problem) {
        return RegistryRefusal.invalid("invalid-field", field + ": " + problem).exception();
    }

    private static RegistryRefusedException missing(String field) {
        return RegistryRefusal.invalid("missing-field", field + ": missing").exception();
    }
}
