package dev.holdfast.posture.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.posture.FirmwareImage;
import dev.holdfast.posture.MalformedDocumentException;
import dev.holdfast.posture.sbom.Purl;
import dev.holdfast.posture.sbom.Sbom;
import dev.holdfast.posture.sbom.SbomComponent;
import dev.holdfast.posture.sbom.VexStatement;
import dev.holdfast.store.Database;

import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SBOMs per firmware image in {@code posture_sbom}, the flattened components and VEX statements stored
 * as JSON (the parsed form, so a restart does not re-validate megabytes of XML); all of them cached.
 */
public final class SbomStore {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What is on file for an image. */
    public record Entry(FirmwareImage image, Sbom sbom, String sha256, Instant uploadedAt, String uploadedBy) {}

    private final Database db;
    private final Map<FirmwareImage, Entry> cache = new ConcurrentHashMap<>();

    public SbomStore(Database db) {
        this.db = db;
        db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT model, version, format, spec_version, sha256, uploaded_at, uploaded_by, doc FROM posture_sbom");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    FirmwareImage img = new FirmwareImage(rs.getString(1), rs.getString(2));
                    try {
                        Sbom s = decode(Sbom.Format.valueOf(rs.getString(3)), rs.getString(4), rs.getString(8));
                        cache.put(img, new Entry(img, s, rs.getString(5), Instant.ofEpochMilli(rs.getLong(6)), rs.getString(7)));
                    } catch (IOException | MalformedDocumentException | IllegalArgumentException e) {
                        org.slf4j.LoggerFactory.getLogger(SbomStore.class).warn("stored SBOM for {} cannot be read: {}", img, e.getMessage());
                    }
                }
            }
            return null;
        });
    }

    public Optional<Entry> find(FirmwareImage image) {
        return Optional.ofNullable(cache.get(image));
    }

    public List<Entry> all() {
        return List.copyOf(cache.values());
    }

    public Entry put(FirmwareImage image, Sbom sbom, String sha256, Instant at, String actor) {
        String doc = encode(sbom);
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO posture_sbom (model, version, format, spec_version, sha256, components, uploaded_at, "
                    + "uploaded_by, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (model, version) DO UPDATE SET format = excluded.format, "
                    + "spec_version = excluded.spec_version, sha256 = excluded.sha256, components = excluded.components, uploaded_at = excluded.uploaded_at, "
                    + "uploaded_by = excluded.uploaded_by, doc = excluded.doc")) {
                ps.setString(1, image.model());
                ps.setString(2, image.version());
                ps.setString(3, sbom.format().name());
                ps.setString(4, sbom.specVersion());
                ps.setString(5, sha256);
                ps.setInt(6, sbom.components().size());
                ps.setLong(7, at.toEpochMilli());
                ps.setString(8, actor.length() > 256 ? actor.substring(0, 256) : actor);
                ps.setString(9, doc);
                ps.executeUpdate();
            }
            return null;
        });
        Entry e = new Entry(image, sbom, sha256, at, actor);
        cache.put(image, e);
        return e;
    }

    static String encode(Sbom s) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode comps = root.putArray("components");
        for (SbomComponent c : s.components()) {
            ObjectNode n = comps.addObject();
            c.ref().ifPresent(v -> n.put("ref", v));
            n.put("name", c.name());
            c.version().ifPresent(v -> n.put("version", v));
            c.group().ifPresent(v -> n.put("group", v));
            c.purl().ifPresent(v -> n.put("purl", v.toString()));
            c.cpe().ifPresent(v -> n.put("cpe", v));
            c.parent().ifPresent(v -> n.put("parent", v));
        }
        ArrayNode vex = root.putArray("vex");
        for (VexStatement v : s.vex()) {
            ObjectNode n = vex.addObject();
            n.put("id", v.advisoryId()).put("ref", v.componentRef()).put("state", v.state().name());
            v.justification().ifPresent(j -> n.put("justification", j));
            v.detail().ifPresent(d -> n.put("detail", d));
        }
        return root.toString();
    }

    static Sbom decode(Sbom.Format format, String spec, String doc) throws IOException, MalformedDocumentException {
        JsonNode root = JSON.readTree(doc);
        List<SbomComponent> comps = new ArrayList<>();
        for (JsonNode n : root.path("components")) {
            comps.add(new SbomComponent(opt(n, "ref"), n.path("name").asText(""), opt(n, "version"), opt(n, "group"),
                    n.has("purl") ? Optional.of(Purl.parse(n.get("purl").asText())) : Optional.empty(), opt(n, "cpe"), opt(n, "parent")));
        }
        List<VexStatement> vex = new ArrayList<>();
        for (JsonNode n : root.path("vex")) {
            vex.add(new VexStatement(n.path("id").asText(), n.path("ref").asText(), VexStatement.State.valueOf(n.path("state").asText()),
                    opt(n, "justification"), opt(n, "detail")));
        }
        return new Sbom(format, spec, comps, vex);
    }

    private static Optional<String> opt(JsonNode n, String f) {
        return n.path(f).isTextual() ? Optional.of(n.get(f).asText()) : Optional.empty();
    }
}
