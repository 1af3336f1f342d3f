package dev.holdfast.server.posture;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.posture.CheckResult;
import dev.holdfast.posture.DevicePosture;
import dev.holdfast.posture.FirmwareImage;
import dev.holdfast.posture.FleetAudit;
import dev.holdfast.posture.MalformedDocumentException;
import dev.holdfast.posture.Posture;
import dev.holdfast.posture.Recommendation;
import dev.holdfast.posture.RiskModel;
import dev.holdfast.posture.advisory.AdvisoryDatabase;
import dev.holdfast.posture.advisory.ImportReport;
import dev.holdfast.posture.internal.SbomStore;
import dev.holdfast.posture.match.Finding;
import dev.holdfast.posture.sbom.SbomComponent;
import dev.holdfast.registry.DeviceId;
import dev.holdfast.server.http.Problem;
import dev.holdfast.server.http.RouteModule;
import dev.holdfast.server.registry.RegistryProblems;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.Supplier;

import static dev.holdfast.server.http.BearerAuthentication.actor;

/**
 * Posture's REST resources (documented in {@code openapi/posture.json}):
 * {@code PUT|GET /api/v1/sboms/{model}/{version}}, {@code POST /api/v1/advisories/imports} (the body is
 * the file: an OSV/NVD/KEV JSON or YAML record, an EPSS CSV, or a zip bundle; {@code ?filename=} says
 * which), {@code GET /api/v1/advisories/stats}, {@code GET /api/v1/posture/devices/{id}} (evaluates now),
 * {@code POST /api/v1/posture/fleet/evaluations} and {@code GET /api/v1/posture/audit}.
 */
public final class PostureRoutes implements RouteModule {
    /** Largest SBOM upload. */
    static final long MAX_SBOM_BYTES = 64L << 20;
    /** Largest advisory upload (a zipped OSV export of every ecosystem is about 400 MiB). */
    static final long MAX_ADVISORY_BYTES = 1L << 30;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Posture posture;
    private final Path uploads;
    private final Supplier<List<X509Certificate>> caCertificates;

    PostureRoutes(Posture posture, Path uploads, Supplier<List<X509Certificate>> caCertificates) {
        this.posture = posture;
        this.uploads = uploads;
        this.caCertificates = caCertificates;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.put("/api/v1/sboms/{model}/{version}", t(this::uploadSbom));
        routes.get("/api/v1/sboms/{model}/{version}", t(this::showSbom));
        routes.post("/api/v1/advisories/imports", t(this::importAdvisories));
        routes.get("/api/v1/advisories/stats", t(ctx -> ctx.json(stats(posture.advisories().stats()))));
        routes.get("/api/v1/posture/devices/{id}", t(ctx -> ctx.json(device(posture.evaluate(DeviceId.parse(ctx.pathParam("id")))))));
        routes.post("/api/v1/posture/fleet/evaluations", t(ctx -> ctx.json(fleet(posture.evaluateFleet()))));
        routes.get("/api/v1/posture/audit", t(ctx -> ctx.json(audit(posture.audit(caCertificates.get())))));
    }

    private static Handler t(Handler h) {
        return RegistryProblems.translated(h);
    }

    private static FirmwareImage image(Context ctx) {
        try {
            return new FirmwareImage(ctx.pathParam("model"), ctx.pathParam("version"));
        } catch (IllegalArgumentException e) {
            throw Problem.badRequest("invalid-image", e.getMessage()).exception();
        }
    }

    private void uploadSbom(Context ctx) {
        FirmwareImage image = image(ctx);
        if (ctx.contentLength() > MAX_SBOM_BYTES) throw tooLarge("SBOM", ctx.contentLength(), MAX_SBOM_BYTES);
        byte[] body;
        try (InputStream in = ctx.req().getInputStream()) {
            body = in.readNBytes((int) MAX_SBOM_BYTES + 1);
        } catch (IOException e) {
            throw Problem.badRequest("upload-failed", "the upload could not be read: " + e.getMessage()).exception(e);
        }
        if (body.length > MAX_SBOM_BYTES) throw tooLarge("SBOM", body.length, MAX_SBOM_BYTES);
        try {
            SbomStore.Entry e = posture.uploadSbom(image, body, actor(ctx));
            ctx.status(201).header("Location", "/api/v1/sboms/" + image.model() + "/" + image.version()).json(sbom(e, List.of(), false));
        } catch (MalformedDocumentException e) {
            throw new Problem(422, "invalid-sbom", "Invalid SBOM", "SBOM for " + image + " refused" + (e.location().isEmpty() ? "" : " at " + e.location())
                    + ": " + e.reason()).exception(e);
        }
    }

    private void showSbom(Context ctx) {
        FirmwareImage image = image(ctx);
        SbomStore.Entry e = posture.sbom(image).orElseThrow(() -> Problem.notFound("sbom-not-found", "no SBOM on file for " + image).exception());
        ctx.json(sbom(e, posture.findings(image), true));
    }

    private void importAdvisories(Context ctx) {
        String filename = ctx.queryParam("filename");
        if (filename == null || !filename.matches("[A-Za-z0-9._-]{1,128}") || !filename.matches(".*\\.(zip|json|yaml|yml|csv|gz)$")) {
            throw Problem.badRequest("invalid-filename", "filename: '" + (filename == null ? "" : filename)
                    + "' (expected: a plain file name ending in .zip, .json, .yaml, .yml, .csv or .gz)").exception();
        }
        if (ctx.contentLength() > MAX_ADVISORY_BYTES) throw tooLarge("advisory upload", ctx.contentLength(), MAX_ADVISORY_BYTES);
        Path dir;
        Path file;
        try {
            Files.createDirectories(uploads, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            dir = Files.createTempDirectory(uploads, "import");
            file = dir.resolve(filename);
            try (InputStream in = ctx.req().getInputStream(); OutputStream out = Files.newOutputStream(file)) {
                byte[] buf = new byte[65536];
                long total = 0;
                int n;
                while ((n = in.read(buf)) > 0) {
                    total += n;
                    if (total > MAX_ADVISORY_BYTES) throw tooLarge("advisory upload", total, MAX_ADVISORY_BYTES);
                    out.write(buf, 0, n);
                }
            }
        } catch (IOException e) {
            throw Problem.badRequest("upload-failed", "the upload could not be stored: " + e.getMessage()).exception(e);
        }
        try {
            ImportReport r = posture.importAdvisories(file, actor(ctx));
            ctx.json(report(r, filename));
        } catch (IOException e) {
            throw Problem.badRequest("import-failed", "the upload could not be imported: " + e.getMessage()).exception(e);
        } finally {
            try {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                org.slf4j.LoggerFactory.getLogger(PostureRoutes.class).warn("could not remove the staged upload {}", file);
            }
        }
    }

    private static dev.holdfast.server.http.ProblemException tooLarge(String what, long size, long max) {
        return new Problem(413, "upload-too-large", "Content too large", what + " of " + size + " bytes exceeds the limit of " + max + " bytes").exception();
    }

    // ------------------------------------------------------------------------------------ JSON shapes

    static ObjectNode sbom(SbomStore.Entry e, List<Finding> findings, boolean withComponents) {
        ObjectNode n = JSON.createObjectNode();
        n.put("model", e.image().model()).put("version", e.image().version()).put("format", e.sbom().format().wireName())
                .put("specVersion", e.sbom().specVersion()).put("sha256", e.sha256()).put("components", e.sbom().components().size())
                .put("vexStatements", e.sbom().vex().size()).put("uploadedAt", e.uploadedAt().toString()).put("uploadedBy", e.uploadedBy());
        if (withComponents) {
            ArrayNode comps = n.putArray("componentList");
            for (SbomComponent c : e.sbom().components()) {
                ObjectNode x = comps.addObject().put("name", c.name());
                c.version().ifPresent(v -> x.put("version", v));
                c.purl().ifPresent(v -> x.put("purl", v.toString()));
                c.cpe().ifPresent(v -> x.put("cpe", v));
                c.parent().ifPresent(v -> x.put("parent", v));
            }
            ArrayNode f = n.putArray("findings");
            for (Finding x : findings) f.add(finding(x));
        }
        return n;
    }

    static ObjectNode finding(Finding f) {
        ObjectNode n = JSON.createObjectNode();
        n.put("advisory", f.advisory().id()).put("source", f.advisory().kind().wireName());
        ArrayNode a = n.putArray("aliases");
        f.advisory().aliases().forEach(a::add);
        n.put("component", f.component().label()).put("matchedBy", f.matchedBy()).put("range", f.range()).put("reason", f.reason());
        f.cvss().ifPresent(s -> n.put("cvss", s));
        f.fixedVersion().ifPresent(v -> n.put("fixedVersion", v));
        n.put("open", f.open());
        f.suppressedBy().ifPresent(v -> {
            ObjectNode s = n.putObject("vex").put("state", v.state().wireName());
            v.justification().ifPresent(j -> s.put("justification", j));
            v.detail().ifPresent(d -> s.put("detail", d));
        });
        return n;
    }

    static ObjectNode device(DevicePosture p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("deviceId", p.deviceId()).put("compliance", p.compliance().wireName()).put("risk", p.risk()).put("evaluatedAt", p.evaluatedAt().toString());
        p.image().ifPresent(i -> n.putObject("firmware").put("model", i.model()).put("version", i.version()));
        n.put("sbomOnFile", p.sbomKnown());
        ArrayNode reasons = n.putArray("reasons");
        p.reasons().forEach(reasons::add);
        ArrayNode recs = n.putArray("recommendations");
        for (Recommendation r : p.recommendations()) {
            ObjectNode x = recs.addObject().put("rank", r.rank()).put("action", r.action()).put("risk", r.risk());
            ArrayNode b = x.putArray("because");
            r.because().forEach(b::add);
        }
        ArrayNode findings = n.putArray("findings");
        for (Finding f : p.findings()) findings.add(finding(f));
        ArrayNode checks = n.putArray("checks");
        for (CheckResult c : p.checks()) {
            checks.addObject().put("id", c.checkId()).put("title", c.title()).put("severity", c.severity().wireName()).put("reference", c.reference())
                    .put("outcome", c.outcome().wireName()).put("detail", c.detail()).put("remediation", c.remediation());
        }
        return n;
    }

    static ObjectNode fleet(Posture.FleetSummary s) {
        ObjectNode n = JSON.createObjectNode();
        n.put("devices", s.devices()).put("compliant", s.compliant()).put("nonCompliant", s.nonCompliant()).put("unknown", s.unknown()).put("meanRisk", s.meanRisk());
        ArrayNode top = n.putArray("riskiest");
        for (DevicePosture p : s.riskiest()) {
            ObjectNode x = top.addObject().put("deviceId", p.deviceId()).put("risk", p.risk()).put("compliance", p.compliance().wireName());
            if (!p.reasons().isEmpty()) x.put("topReason", p.reasons().get(0));
        }
        return n;
    }

    static ObjectNode audit(FleetAudit.Report r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("at", r.at().toString()).put("devicesAudited", r.devicesAudited());
        ArrayNode fs = n.putArray("findings");
        for (FleetAudit.Finding f : r.findings()) {
            ObjectNode x = fs.addObject().put("check", f.checkId()).put("title", f.title()).put("severity", f.severity().wireName())
                    .put("reference", f.reference()).put("detail", f.detail());
            ArrayNode s = x.putArray("subjects");
            f.subjects().stream().limit(1000).forEach(s::add);
            x.put("subjectCount", f.subjects().size());
        }
        return n;
    }

    static ObjectNode report(ImportReport r, String source) {
        ObjectNode n = JSON.createObjectNode();
        n.put("source", source).put("startedAt", r.startedAt().toString()).put("finishedAt", r.finishedAt().toString()).put("read", r.read())
                .put("added", r.added()).put("updated", r.updated()).put("unchanged", r.unchanged()).put("refused", r.refused())
                .put("kev", r.kev()).put("epss", r.epss());
        ArrayNode e = n.putArray("errors");
        r.errors().forEach(x -> e.add(x.replaceFirst("^.*/import[^/]*/", "")));
        return n;
    }

    static ObjectNode stats(AdvisoryDatabase.Stats s) {
        ObjectNode n = JSON.createObjectNode();
        n.put("osv", s.osv()).put("nvd", s.nvd()).put("indexedTargets", s.targets()).put("kev", s.kev()).put("epss", s.epss());
        ArrayNode imports = n.putArray("lastImports");
        for (ImportReport r : s.lastImports()) {
            imports.addObject().put("source", r.source().replaceFirst("^.*/import[^/]*/", "")).put("startedAt", r.startedAt().toString())
                    .put("finishedAt", r.finishedAt().toString()).put("read", r.read()).put("added", r.added()).put("updated", r.updated())
                    .put("unchanged", r.unchanged()).put("refused", r.refused());
        }
        return n;
    }
}
