package dev.holdfast.posture.advisory;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.holdfast.posture.MalformedDocumentException;
import dev.holdfast.posture.sbom.Purl;
import dev.holdfast.posture.version.VersionScheme;

import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One OSV record (OSV schema 1.x, JSON or YAML) of untrusted bytes. Required: {@code id} and
 * {@code modified}. A package is keyed by its {@code purl} when given, else by the ecosystem's purl
 * type and name (Maven {@code group:artifact} becomes namespace/name). Unknown ecosystems are kept as
 * {@code generic}. Returns an {@link Advisory} or throws {@link MalformedDocumentException}.
 */
public final class OsvParser {
    public static final int MAX_BYTES = 8 << 20;
    static final StreamReadConstraints LIMITS = StreamReadConstraints.builder().maxNestingDepth(64).maxStringLength(4 << 20).build();
    static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder().streamReadConstraints(LIMITS).build());
    static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder().streamReadConstraints(LIMITS).build());

    private OsvParser() {
    }

    public static Advisory parse(byte[] bytes) throws MalformedDocumentException {
        if (bytes.length > MAX_BYTES) throw new MalformedDocumentException("", "OSV record of " + bytes.length + " bytes exceeds " + MAX_BYTES);
        int i = 0;
        while (i < bytes.length && Character.isWhitespace(bytes[i])) i++;
        JsonNode root;
        try {
            root = (i < bytes.length && bytes[i] == '{' ? JSON : YAML).readTree(bytes);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw new MalformedDocumentException(loc == null ? "" : "line " + loc.getLineNr() + ", column " + loc.getColumnNr(), "not valid JSON or YAML: " + e.getOriginalMessage());
        } catch (IOException | RuntimeException e) {
            throw new MalformedDocumentException("", "not readable as JSON or YAML: " + e.getMessage());
        }
        return fromNode(root);
    }

    public static Advisory fromNode(JsonNode root) throws MalformedDocumentException {
        try {
            return read(root);
        } catch (RuntimeException e) {
            throw new MalformedDocumentException("", "OSV record could not be read: " + e, e);
        }
    }

    private static Advisory read(JsonNode root) throws MalformedDocumentException {
        if (root == null || !root.isObject()) throw new MalformedDocumentException("$", "not an object (expected: an OSV record)");
        String id = requiredText(root, "id", "$.id");
        Instant modified = time(requiredText(root, "modified", "$.modified"), "$.modified");
        Optional<Instant> published = root.hasNonNull("published") ? Optional.of(time(root.get("published").asText(), "$.published")) : Optional.empty();
        boolean withdrawn = root.hasNonNull("withdrawn");
        List<String> aliases = new ArrayList<>();
        for (JsonNode a : root.path("aliases")) if (a.isTextual()) aliases.add(a.asText());
        List<Advisory.Score> scores = new ArrayList<>();
        for (JsonNode s : root.path("severity")) {
            if (s.path("type").isTextual() && s.path("score").isTextual()) scores.add(new Advisory.Score(s.get("type").asText(), s.get("score").asText(), Optional.empty()));
        }
        List<AffectedPackage> affected = new ArrayList<>();
        int n = 0;
        for (JsonNode a : root.path("affected")) {
            String at = "$.affected[" + n++ + "]";
            JsonNode pkg = a.path("package");
            String ecosystem = pkg.path("ecosystem").asText("");
            String name = pkg.path("name").asText("");
            String key;
            String purlType;
            if (pkg.path("purl").isTextual()) {
                Purl p = Purl.parse(pkg.get("purl").asText());
                key = p.packageKey();
                purlType = p.type();
            } else {
                if (name.isEmpty()) throw new MalformedDocumentException(at + ".package.name", "required when no purl is given");
                purlType = VersionScheme.purlTypeForOsvEcosystem(ecosystem).orElse("generic");
                key = keyFor(purlType, ecosystem, name);
            }
            VersionScheme scheme = VersionScheme.forPurlType(purlType);
            List<VersionRange> ranges = new ArrayList<>();
            int r = 0;
            for (JsonNode range : a.path("ranges")) {
                String rat = at + ".ranges[" + r++ + "]";
                VersionRange.Events.Kind kind;
                try {
                    kind = VersionRange.Events.Kind.valueOf(range.path("type").asText(""));
                } catch (IllegalArgumentException e) {
                    throw new MalformedDocumentException(rat + ".type", "'" + range.path("type").asText("") + "' (expected: SEMVER, ECOSYSTEM or GIT)");
                }
                List<VersionRange.Event> events = new ArrayList<>();
                for (JsonNode ev : range.path("events")) {
                    var it = ev.fields();
                    if (!it.hasNext()) throw new MalformedDocumentException(rat + ".events", "an event has no member");
                    var f = it.next();
                    VersionRange.Event.Type type = switch (f.getKey()) {
                        case "introduced" -> VersionRange.Event.Type.INTRODUCED;
                        case "fixed" -> VersionRange.Event.Type.FIXED;
                        case "last_affected" -> VersionRange.Event.Type.LAST_AFFECTED;
                        case "limit" -> VersionRange.Event.Type.LIMIT;
                        default -> throw new MalformedDocumentException(rat + ".events", "'" + f.getKey() + "' (expected: introduced, fixed, last_affected or limit)");
                    };
                    String v = f.getValue().asText("");
                    if (v.isEmpty()) throw new MalformedDocumentException(rat + ".events", f.getKey() + " has no version");
                    events.add(new VersionRange.Event(type, v));
                }
                if (events.stream().noneMatch(e -> e.type() == VersionRange.Event.Type.INTRODUCED)) {
                    throw new MalformedDocumentException(rat + ".events", "no 'introduced' event (OSV schema: every range has one)");
                }
                ranges.add(new VersionRange.Events(kind, events));
            }
            List<String> versions = new ArrayList<>();
            for (JsonNode v : a.path("versions")) if (v.isTextual()) versions.add(v.asText());
            affected.add(new AffectedPackage(new AffectedPackage.PackageTarget(key, ecosystem.isEmpty() ? purlType : ecosystem), scheme, ranges, versions));
        }
        String summary = root.path("summary").asText(root.path("details").asText(""));
        if (summary.length() > 512) summary = summary.substring(0, 512);
        return new Advisory(Advisory.Kind.OSV, id, aliases, summary, modified, published, withdrawn, affected, scores);
    }

    /** The purl package key for an OSV ecosystem package name. */
    static String keyFor(String purlType, String ecosystem, String name) throws MalformedDocumentException {
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        return switch (purlType) {
            case "maven" -> {
                int colon = name.indexOf(':');
                if (colon <= 0) throw new MalformedDocumentException("package.name", "Maven package '" + name + "' is not group:artifact");
                yield "maven/" + name.substring(0, colon) + "/" + name.substring(colon + 1);
            }
            case "deb" -> "deb/" + (ecosystem.startsWith("Ubuntu") ? "ubuntu" : "debian") + "/" + lower;
            case "apk" -> "apk/alpine/" + lower;
            case "pypi" -> "pypi/" + lower.replace('_', '-').replace('.', '-');
            case "rpm" -> "rpm/" + rpmVendor(ecosystem) + "/" + lower;
            case "npm", "generic" -> purlType + "/" + lower;
            default -> purlType + "/" + name;
        };
    }

    /** The purl namespace RPM distributions use for their packages. */
    private static String rpmVendor(String ecosystem) {
        String base = ecosystem.contains(":") ? ecosystem.substring(0, ecosystem.indexOf(':')) : ecosystem;
        return switch (base) {
            case "Red Hat" -> "redhat";
            case "Rocky Linux" -> "rocky";
            default -> base.toLowerCase(java.util.Locale.ROOT).replace(' ', '-');
        };
    }

    private static String requiredText(JsonNode n, String field, String where) throws MalformedDocumentException {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) throw new MalformedDocumentException(where, "required string missing");
        if (v.asText().length() > 256) throw new MalformedDocumentException(where, "longer than 256 characters");
        return v.asText();
    }

    static Instant time(String s, String where) throws MalformedDocumentException {
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            try {
                // NVD writes local ISO times without an offset; they are UTC.
                return java.time.LocalDateTime.parse(s).toInstant(java.time.ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                throw new MalformedDocumentException(where, "'" + s + "' is not an RFC 3339 time");
            }
        }
    }
}
