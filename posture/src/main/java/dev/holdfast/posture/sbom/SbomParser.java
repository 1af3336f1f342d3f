package dev.holdfast.posture.sbom;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.posture.MalformedDocumentException;
import org.cyclonedx.Version;
import org.cyclonedx.exception.ParseException;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.model.vulnerability.Vulnerability;
import org.cyclonedx.parsers.JsonParser;
import org.cyclonedx.parsers.XmlParser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an SBOM of untrusted bytes: CycloneDX 1.1–1.6 in JSON or XML (validated against the CycloneDX
 * schemas bundled in cyclonedx-core-java, so nothing is fetched), or SPDX 2.3 JSON (required fields
 * checked here, following SPDX 2.3 clauses 6 and 7). Returns the flattened components and VEX
 * statements, or throws {@link MalformedDocumentException} with the schema error and where it is.
 * Nothing else escapes.
 */
public final class SbomParser {
    /** Refuse anything larger (the biggest public SBOMs are a few tens of MiB). */
    public static final int MAX_BYTES = 64 << 20;
    /** Nested component depth beyond which the SBOM is refused rather than walked. */
    public static final int MAX_DEPTH = 64;
    private static final Pattern XML_NS = Pattern.compile("http://cyclonedx\\.org/schema/bom/(1\\.[0-6])");
    private static final ObjectMapper JSON = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(256).maxStringLength(MAX_BYTES).build()).build());

    private SbomParser() {
    }

    public static Sbom parse(byte[] bytes) throws MalformedDocumentException {
        try {
            return parseUnchecked(bytes);
        } catch (MalformedDocumentException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            // A library bug on hostile input must still end as a refusal, never a crash.
            throw new MalformedDocumentException("", "SBOM could not be read: " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    private static Sbom parseUnchecked(byte[] bytes) throws MalformedDocumentException {
        if (bytes == null || bytes.length == 0) throw new MalformedDocumentException("", "empty document (expected: CycloneDX JSON or XML, or SPDX 2.3 JSON)");
        if (bytes.length > MAX_BYTES) throw new MalformedDocumentException("", "SBOM of " + bytes.length + " bytes exceeds the limit of " + MAX_BYTES);
        int i = 0;
        if (bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB && (bytes[2] & 0xff) == 0xBF) i = 3;
        while (i < bytes.length && Character.isWhitespace(bytes[i])) i++;
        if (i == bytes.length) throw new MalformedDocumentException("", "blank document");
        if (bytes[i] == '<') return cycloneDxXml(bytes);
        if (bytes[i] != '{') throw new MalformedDocumentException("$", "document starts with '" + (char) (bytes[i] & 0xff) + "' (expected: '{' for JSON or '<' for XML)");
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new MalformedDocumentException(jsonLocation(e), "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new MalformedDocumentException("", "not readable: " + e.getMessage());
        }
        if (root == null || !root.isObject()) throw new MalformedDocumentException("$", "not a JSON object");
        if (root.has("spdxVersion")) return SpdxJson.read(root);
        if ("CycloneDX".equals(root.path("bomFormat").asText(null))) return cycloneDxJson(bytes, root);
        throw new MalformedDocumentException("$", "neither CycloneDX (bomFormat \"CycloneDX\") nor SPDX (spdxVersion) JSON");
    }

    private static Sbom cycloneDxJson(byte[] bytes, JsonNode root) throws MalformedDocumentException {
        String spec = root.path("specVersion").asText("");
        Version v = version(spec, "$.specVersion");
        if (v.compareTo(Version.VERSION_12) < 0) throw new MalformedDocumentException("$.specVersion", "CycloneDX JSON starts at 1.2, got '" + spec + "'");
        // "$schema" only names a schema; published examples carry values the strict enumeration
        // of later schema revisions no longer lists (bom-1.2a), so validation uses the spec version.
        com.fasterxml.jackson.databind.node.ObjectNode copy = ((com.fasterxml.jackson.databind.node.ObjectNode) root).deepCopy();
        copy.remove("$schema");
        List<com.networknt.schema.Error> errors;
        try {
            errors = new JsonParser().getJsonSchema(v, JSON).validate(copy);
        } catch (IOException e) {
            throw new MalformedDocumentException("$", "schema validation failed: " + e.getMessage());
        }
        if (!errors.isEmpty()) {
            com.networknt.schema.Error first = errors.get(0);
            String more = errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : "";
            throw new MalformedDocumentException(String.valueOf(first.getInstanceLocation()),
                    "violates the CycloneDX " + spec + " JSON schema: " + first.getMessage() + more);
        }
        Bom bom;
        try {
            bom = new JsonParser().parse(bytes);
        } catch (ParseException e) {
            throw new MalformedDocumentException("$", "CycloneDX JSON: " + e.getMessage());
        }
        return fromBom(bom, Sbom.Format.CYCLONEDX_JSON, spec);
    }

    private static Sbom cycloneDxXml(byte[] bytes) throws MalformedDocumentException {
        String head = new String(bytes, 0, Math.min(bytes.length, 4096), StandardCharsets.UTF_8);
        Matcher m = XML_NS.matcher(head);
        if (!m.find()) throw new MalformedDocumentException("line 1", "no CycloneDX namespace http://cyclonedx.org/schema/bom/1.x in the root element");
        String spec = m.group(1);
        Version v = version(spec, "xmlns");
        List<ParseException> errors;
        try {
            errors = new XmlParser().validate(bytes, v);
        } catch (IOException e) {
            throw new MalformedDocumentException("", "schema validation failed: " + e.getMessage());
        }
        if (!errors.isEmpty()) throw schemaError(errors, "CycloneDX " + spec + " XML schema");
        Bom bom;
        try {
            bom = new XmlParser().parse(bytes);
        } catch (ParseException e) {
            throw new MalformedDocumentException("", "CycloneDX XML: " + e.getMessage());
        }
        return fromBom(bom, Sbom.Format.CYCLONEDX_XML, spec);
    }

    private static Version version(String spec, String where) throws MalformedDocumentException {
        for (Version v : Version.values()) if (v.getVersionString().equals(spec)) return v;
        throw new MalformedDocumentException(where, "CycloneDX spec version '" + Purl.excerpt(spec) + "' is not one of 1.1..1.6");
    }

    /** The first schema error, with the location the validator gave (JSON path, or XML line and column). */
    private static MalformedDocumentException schemaError(List<ParseException> errors, String schema) {
        ParseException first = errors.get(0);
        Throwable cause = first.getCause();
        String location = "";
        String message = first.getMessage();
        if (cause instanceof org.xml.sax.SAXParseException sax) {
            location = "line " + sax.getLineNumber() + ", column " + sax.getColumnNumber();
            message = sax.getMessage();
        } else if (message != null) {
            Matcher p = Pattern.compile("^(\\$[^:\\s]*)[:\\s]").matcher(message);
            if (p.find()) location = p.group(1);
        }
        String more = errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : "";
        return new MalformedDocumentException(location, "violates the " + schema + ": " + message + more);
    }

    private static Sbom fromBom(Bom bom, Sbom.Format format, String spec) throws MalformedDocumentException {
        List<SbomComponent> out = new ArrayList<>();
        record Pending(Component c, String parent, int depth) {}
        Deque<Pending> stack = new ArrayDeque<>();
        List<Component> top = bom.getComponents() == null ? List.of() : bom.getComponents();
        for (int i = top.size() - 1; i >= 0; i--) stack.push(new Pending(top.get(i), null, 0));
        while (!stack.isEmpty()) {
            Pending p = stack.pop();
            if (p.depth > MAX_DEPTH) throw new MalformedDocumentException("components", "components nested deeper than " + MAX_DEPTH);
            Component c = p.c;
            out.add(component(c.getBomRef(), c.getName(), c.getVersion(), c.getGroup(), c.getPurl(), c.getCpe(), p.parent));
            List<Component> kids = c.getComponents();
            if (kids != null) {
                String parentRef = c.getBomRef() != null ? c.getBomRef() : c.getName();
                for (int i = kids.size() - 1; i >= 0; i--) stack.push(new Pending(kids.get(i), parentRef, p.depth + 1));
            }
        }
        List<VexStatement> vex = new ArrayList<>();
        if (bom.getVulnerabilities() != null) {
            for (Vulnerability v : bom.getVulnerabilities()) {
                if (v.getId() == null || v.getAnalysis() == null || v.getAnalysis().getState() == null || v.getAffects() == null) continue;
                Optional<VexStatement.State> state = VexStatement.State.parse(v.getAnalysis().getState().getStateName());
                if (state.isEmpty()) continue;
                Optional<String> just = Optional.ofNullable(v.getAnalysis().getJustification()).map(j -> j.getJustificationName());
                for (Vulnerability.Affect a : v.getAffects()) {
                    if (a.getRef() == null) continue;
                    vex.add(new VexStatement(v.getId(), a.getRef(), state.get(), just, Optional.ofNullable(v.getAnalysis().getDetail())));
                }
            }
        }
        return new Sbom(format, spec, out, vex);
    }

    static SbomComponent component(String ref, String name, String version, String group, String purl, String cpe, String parent) {
        Optional<Purl> p = Optional.empty();
        if (purl != null && !purl.isBlank()) {
            try {
                p = Optional.of(Purl.parse(purl.trim()));
            } catch (MalformedDocumentException e) {
                // An unparseable purl leaves the component matchable by CPE and name; the SBOM is still usable.
            }
        }
        return new SbomComponent(Optional.ofNullable(ref), name == null ? "" : name, Optional.ofNullable(blankToNull(version)),
                Optional.ofNullable(blankToNull(group)), p, Optional.ofNullable(blankToNull(cpe)), Optional.ofNullable(parent));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    static String jsonLocation(JsonProcessingException e) {
        var loc = e.getLocation();
        return loc == null ? "" : "line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    }
}
