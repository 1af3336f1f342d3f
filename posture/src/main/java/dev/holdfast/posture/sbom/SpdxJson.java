package dev.holdfast.posture.sbom;

import com.fasterxml.jackson.databind.JsonNode;
import dev.holdfast.posture.MalformedDocumentException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SPDX 2.3 JSON (the SPDX 2.3 specification, clauses 6 "Document creation information" and 7
 * "Package information"). Only the document's required fields and each package's are checked; the
 * rest is ignored. Packages become components; their purl comes from an external reference of type
 * {@code purl} (category PACKAGE-MANAGER) and their CPE from {@code cpe23Type} (category SECURITY).
 * {@code CONTAINS} relationships give each package its parent.
 */
final class SpdxJson {
    private SpdxJson() {
    }

    static Sbom read(JsonNode root) throws MalformedDocumentException {
        String version = text(root, "spdxVersion", "$.spdxVersion");
        if (!version.equals("SPDX-2.3")) throw new MalformedDocumentException("$.spdxVersion", "'" + Purl.excerpt(version) + "' (expected: SPDX-2.3)");
        String dataLicense = text(root, "dataLicense", "$.dataLicense");
        if (!dataLicense.equals("CC0-1.0")) throw new MalformedDocumentException("$.dataLicense", "'" + Purl.excerpt(dataLicense) + "' (expected: CC0-1.0, SPDX 2.3 clause 6.2)");
        String id = text(root, "SPDXID", "$.SPDXID");
        if (!id.equals("SPDXRef-DOCUMENT")) throw new MalformedDocumentException("$.SPDXID", "'" + Purl.excerpt(id) + "' (expected: SPDXRef-DOCUMENT, clause 6.3)");
        text(root, "name", "$.name");
        text(root, "documentNamespace", "$.documentNamespace");
        JsonNode ci = root.get("creationInfo");
        if (ci == null || !ci.isObject()) throw new MalformedDocumentException("$.creationInfo", "required object missing (clause 6.8-6.9)");
        text(ci, "created", "$.creationInfo.created");
        JsonNode creators = ci.get("creators");
        if (creators == null || !creators.isArray() || creators.isEmpty()) throw new MalformedDocumentException("$.creationInfo.creators", "at least one creator required (clause 6.8)");
        JsonNode packages = root.path("packages");
        if (!packages.isMissingNode() && !packages.isArray()) throw new MalformedDocumentException("$.packages", "not an array");
        Map<String, String> parentOf = new HashMap<>();
        JsonNode rels = root.path("relationships");
        if (rels.isArray()) {
            for (JsonNode r : rels) {
                String type = r.path("relationshipType").asText("");
                String a = r.path("spdxElementId").asText(null), b = r.path("relatedSpdxElement").asText(null);
                if (a == null || b == null) continue;
                if (type.equals("CONTAINS") && !a.equals("SPDXRef-DOCUMENT")) parentOf.putIfAbsent(b, a);
                else if (type.equals("CONTAINED_BY")) parentOf.putIfAbsent(a, b);
            }
        }
        List<SbomComponent> out = new ArrayList<>();
        int i = 0;
        for (JsonNode p : packages) {
            String at = "$.packages[" + i++ + "]";
            if (!p.isObject()) throw new MalformedDocumentException(at, "not an object");
            String ref = text(p, "SPDXID", at + ".SPDXID");
            if (!ref.startsWith("SPDXRef-")) throw new MalformedDocumentException(at + ".SPDXID", "'" + Purl.excerpt(ref) + "' (expected: SPDXRef-..., clause 7.2)");
            String name = text(p, "name", at + ".name");
            text(p, "downloadLocation", at + ".downloadLocation");
            String purl = null, cpe = null;
            for (JsonNode ref2 : p.path("externalRefs")) {
                String type = ref2.path("referenceType").asText("");
                String loc = ref2.path("referenceLocator").asText(null);
                if (loc == null) throw new MalformedDocumentException(at + ".externalRefs", "referenceLocator required (clause 7.21)");
                if (type.equals("purl") && purl == null) purl = loc;
                else if ((type.equals("cpe23Type") || type.equals("cpe22Type")) && cpe == null) cpe = loc;
            }
            JsonNode ver = p.get("versionInfo");
            out.add(SbomParser.component(ref, name, ver == null || !ver.isValueNode() ? null : ver.asText(), null, purl, cpe, parentOf.get(ref)));
        }
        return new Sbom(Sbom.Format.SPDX_JSON, "2.3", out, List.of());
    }

    private static String text(JsonNode n, String field, String where) throws MalformedDocumentException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) throw new MalformedDocumentException(where, "required field missing");
        if (!v.isTextual() || v.asText().isBlank()) throw new MalformedDocumentException(where, "must be a non-empty string");
        return v.asText();
    }
}
