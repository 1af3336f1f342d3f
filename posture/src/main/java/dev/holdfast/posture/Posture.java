package dev.holdfast.posture;

import com.fasterxml.jackson.databind.JsonNode;
import dev.holdfast.events.EventClass;
import dev.holdfast.events.EventSink;
import dev.holdfast.events.SecurityEvent;
import dev.holdfast.events.Severity;
import dev.holdfast.posture.advisory.AdvisoryDatabase;
import dev.holdfast.posture.advisory.ImportReport;
import dev.holdfast.posture.baseline.RulePack;
import dev.holdfast.posture.internal.CelValues;
import dev.holdfast.posture.internal.SbomStore;
import dev.holdfast.posture.match.Finding;
import dev.holdfast.posture.match.SbomMatcher;
import dev.holdfast.posture.sbom.Sbom;
import dev.holdfast.posture.sbom.SbomComponent;
import dev.holdfast.posture.sbom.SbomParser;
import dev.holdfast.registry.ConnectionState;
import dev.holdfast.registry.Device;
import dev.holdfast.registry.DeviceFilter;
import dev.holdfast.registry.DeviceId;
import dev.holdfast.registry.DeviceModel;
import dev.holdfast.registry.DevicePage;
import dev.holdfast.registry.HealthSummary;
import dev.holdfast.registry.Registry;
import dev.holdfast.store.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Posture: turns what Holdfast knows about each device (its firmware's SBOM matched against the
 * advisory database, its reported configuration against the baseline, its certificates and negotiated
 * TLS, its model's end of support) into a compliance state, a risk score ({@link RiskModel}) and ranked
 * recommendations, stored as the device's {@link HealthSummary} in the registry.
 *
 * <p><b>When.</b> A device is re-evaluated when its reported properties change (a registry
 * {@link dev.holdfast.registry.TwinListener}), when an SBOM is uploaded for its image, when an advisory
 * import changes advisories for a package its image contains, when one of its certificates is revoked
 * ({@link #certificateChanged}), and on the schedule given to {@link #start}. Triggered work runs on
 * one background thread in order; {@link #flush} waits for it.
 *
 * <p><b>Events.</b> {@code posture.vulnerability.finding} (OCSF Vulnerability Finding) for each open
 * finding and {@code posture.compliance.finding} (Compliance Finding) for each failed check that was
 * not among the device's previous reasons; {@code posture.compliance.changed} when the state changes;
 * {@code posture.sbom.uploaded}; the advisory database emits {@code posture.advisories.imported}.
 */
public final class Posture implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Posture.class);
    private static final String SOURCE = "posture";

    private final Database db;
    private final Registry registry;
    private final EventSink events;
    private final Clock clock;
    private final PostureSettings settings;
    private final AdvisoryDatabase advisories;
    private final SbomStore sboms;
    private final SbomMatcher matcher;
    private final Function<Device, List<DeviceCredential>> pkiCredentials;
    private volatile RulePack pack;
    private final Map<FirmwareImage, List<Finding>> imageFindings = new ConcurrentHashMap<>();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("posture-evaluation").daemon().factory());
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("posture-schedule").daemon().factory());

    private Posture(Database db, Registry registry, EventSink events, Clock clock, PostureSettings settings, RulePack pack,
                    Function<Device, List<DeviceCredential>> pkiCredentials) {
        this.db = db;
        this.registry = registry;
        this.events = events;
        this.clock = clock;
        this.settings = settings;
        this.pack = pack;
        this.pkiCredentials = pkiCredentials;
        this.advisories = AdvisoryDatabase.open(db, events, clock);
        this.sboms = new SbomStore(db);
        this.matcher = new SbomMatcher(advisories.index());
    }

    /**
     * Opens posture on a store that has run the {@code registry} and {@code posture} migrations.
     *
     * @param pkiCredentials the certificates Holdfast's PKI issued to a device (with revocation); return an empty list without a PKI
     */
    public static Posture open(Database db, Registry registry, EventSink events, Clock clock, PostureSettings settings, RulePack pack,
                               Function<Device, List<DeviceCredential>> pkiCredentials) {
        Posture p = new Posture(db, registry, events, clock, settings, pack, pkiCredentials);
        registry.addTwinListener((id, twin) -> p.evaluateSoon(id));
        p.advisories.onImport(r -> p.submit(() -> p.reevaluateAfterImport(r)));
        return p;
    }

    /** Re-evaluates the whole fleet every {@code period} (first run after one period). */
    public Posture start(Duration period) {
        if (!period.isPositive()) throw new IllegalArgumentException("period: " + period + " (expected: > 0)");
        scheduler.scheduleAtFixedRate(() -> submit(this::evaluateFleet), period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    public AdvisoryDatabase advisories() {
        return advisories;
    }

    public RulePack rulePack() {
        return pack;
    }

    public void replaceRulePack(RulePack p) {
        this.pack = p;
    }

    // ------------------------------------------------------------------------------------ SBOMs

    /** Parses, stores and attaches an SBOM to a firmware image; devices on the image are re-evaluated. */
    public SbomStore.Entry uploadSbom(FirmwareImage image, byte[] bytes, String actor) throws MalformedDocumentException {
        Sbom sbom = SbomParser.parse(bytes);
        String sha;
        try {
            sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        SbomStore.Entry e = sboms.put(image, sbom, sha, clock.instant(), actor);
        imageFindings.remove(image);
        imageVulnerabilities.remove(image);
        emit(SecurityEvent.builder(EventClass.DEVICE_INVENTORY_INFO, "posture.sbom.uploaded").actor(actor).source(SOURCE).time(e.uploadedAt())
                .message("SBOM for " + image + " uploaded: " + sbom.format().wireName() + " " + sbom.specVersion() + ", " + sbom.components().size()
                        + " components, " + sbom.vex().size() + " VEX statements")
                .detail("model", image.model()).detail("version", image.version()).detail("sha256", sha)
                .detail("components", sbom.components().size()).build());
        submit(() -> reevaluateImages(Set.of(image)));
        return e;
    }

    public Optional<SbomStore.Entry> sbom(FirmwareImage image) {
        return sboms.find(image);
    }

    /** Findings of an image's SBOM against the current advisories (cached until the SBOM or its advisories change). */
    public List<Finding> findings(FirmwareImage image) {
        List<Finding> f = imageFindings.get(image);
        if (f != null) return f;
        Optional<SbomStore.Entry> e = sboms.find(image);
        if (e.isEmpty()) return List.of();
        f = List.copyOf(matcher.match(e.get().sbom()));
        imageFindings.put(image, f);
        return f;
    }

    /** Imports advisories from a path (see {@link AdvisoryDatabase#importPath}); affected devices are re-evaluated. */
    public ImportReport importAdvisories(Path path, String actor) throws IOException {
        return advisories.importPath(path, actor);
    }

    // ------------------------------------------------------------------------------------ evaluation

    /** Evaluates one device now, stores its health summary and emits events for what is new. */
    public DevicePosture evaluate(DeviceId id) {
        Device d = registry.devices().get(id);
        DevicePosture p = assess(d);
        record(d, p);
        return p;
    }

    /** Evaluates without storing anything. */
    public DevicePosture assess(Device d) {
        Instant now = clock.instant();
        JsonNode reported = d.twin().reported().toNode();
        Optional<FirmwareImage> image = image(d, reported);
        List<Finding> findings = image.map(this::findings).orElse(List.of());
        boolean sbomKnown = image.flatMap(sboms::find).isPresent();

        Map<String, Object> vars = new HashMap<>();
        vars.put("reported", CelValues.map(reported));
        vars.put("tags", CelValues.map(d.tags().toNode()));
        vars.put("observed", CelValues.map(reported.path("observed")));
        Map<String, Object> dev = new LinkedHashMap<>();
        dev.put("id", d.id().value());
        d.model().ifPresent(m -> dev.put("model", m));
        dev.put("status", d.status().wireName());
        dev.put("lifecycle", d.lifecycle().wireName());
        vars.put("device", dev);
        List<CheckResult> checks = new ArrayList<>(pack.evaluate(vars));

        List<DeviceCredential> creds = new ArrayList<>(pkiCredentials.apply(d));
        CredentialChecks.fromReported(reported).ifPresent(r -> {
            if (creds.stream().noneMatch(c -> c.sha256().equals(r.sha256()))) creds.add(r);
        });
        boolean active = d.connectionState() == ConnectionState.CONNECTED;
        for (DeviceCredential c : creds) {
            if (c.revokedAt().isPresent() && d.lastActivity().map(a -> a.isAfter(c.revokedAt().get())).orElse(false)) active = true;
        }
        checks.addAll(CredentialChecks.check(creds, reported, active, now, settings));
        endOfSupport(d, now).ifPresent(checks::add);
        return conclude(d, image, sbomKnown, findings, checks, now);
    }

    private Optional<FirmwareImage> image(Device d, JsonNode reported) {
        String v = reported.path("firmware").path("version").asText("");
        if (d.model().isEmpty() || v.isEmpty()) return Optional.empty();
        try {
            return Optional.of(new FirmwareImage(d.model().get(), v));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private final Map<String, Optional<DeviceModel>> modelCache = new ConcurrentHashMap<>();

    private Optional<CheckResult> endOfSupport(Device d, Instant now) {
        if (d.model().isEmpty()) return Optional.empty();
        Optional<DeviceModel> m = modelCache.computeIfAbsent(d.model().get(), id -> registry.models().find(id));
        if (m.isEmpty() || m.get().definition().endOfSupport().isEmpty()) return Optional.empty();
        var eos = m.get().definition().endOfSupport().get();
        Instant end = eos.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        String ref = "ETSI EN 303 645 5.3-13; EU Cyber Resilience Act Art. 13(8)";
        if (!end.isAfter(now)) {
            return Optional.of(CredentialChecks.fail("HF-EOS-PAST", "Device model is supported", CheckSeverity.HIGH, ref,
                    "model " + m.get().id() + " reached end of support on " + eos, "Replace the device or isolate it; it receives no more security updates."));
        }
        if (end.isBefore(now.plus(settings.endOfSupportWarning()))) {
            return Optional.of(CredentialChecks.fail("HF-EOS-SOON", "Device model is not near end of support", CheckSeverity.LOW, ref,
                    "model " + m.get().id() + " reaches end of support on " + eos, "Plan the replacement of the device."));
        }
        return Optional.of(new CheckResult("HF-EOS-PAST", "Device model is supported", CheckSeverity.HIGH, ref, CheckResult.Outcome.PASS, "", ""));
    }

    /** Model changes (end of support) are picked up at the next evaluation after this. */
    public void modelsChanged() {
        modelCache.clear();
    }

    /** One contribution to a device's risk; {@code action} null for vulnerability items (their recommendation is per component). */
    private record Item(String reason, double risk, String action, String because) {}

    private record Rec(String action, List<String> because, double risk) {}

    /** What an image's open findings contribute, the same for every device on it: computed once per image and advisory state. */
    private record ImageVulnerabilities(List<Item> items, boolean nonCompliant, List<Rec> recs) {}

    private final Map<FirmwareImage, ImageVulnerabilities> imageVulnerabilities = new ConcurrentHashMap<>();

    private ImageVulnerabilities vulnerabilities(Optional<FirmwareImage> image, List<Finding> findings) {
        if (image.isPresent()) {
            ImageVulnerabilities v = imageVulnerabilities.get(image.get());
            if (v != null) return v;
        }
        List<Item> items = new ArrayList<>();
        boolean nonCompliant = false;
        Map<String, List<Finding>> byComponent = new LinkedHashMap<>();
        for (Finding f : findings) {
            if (!f.open()) continue;
            double r = RiskModel.findingRisk(f, advisories.index());
            double cvss = f.cvss().orElse(RiskModel.UNSCORED_CVSS);
            boolean kev = advisories.index().kev(f.advisory()).isPresent();
            if (cvss >= 7.0 || kev) nonCompliant = true;
            items.add(new Item(f.advisory().id() + " in " + f.component().label() + " (CVSS " + cvss + (kev ? ", known exploited" : "") + ")", r, null, null));
            byComponent.computeIfAbsent(f.component().label(), k -> new ArrayList<>()).add(f);
        }
        List<Rec> recs = new ArrayList<>();
        for (var e : byComponent.entrySet()) {
            List<Finding> fs = e.getValue();
            double worst = fs.stream().mapToDouble(f -> RiskModel.findingRisk(f, advisories.index())).max().orElse(0);
            List<String> ids = fs.stream().map(f -> f.advisory().id()).toList();
            SbomComponent comp = fs.get(0).component();
            boolean allFixed = fs.stream().allMatch(f -> f.fixedVersion().isPresent());
            if (allFixed) {
                String to = fs.stream().flatMap(f -> f.fixedVersion().stream()).reduce((a, b) -> pickHigher(comp, a, b)).orElseThrow();
                recs.add(new Rec("upgrade " + comp.label() + " to " + to + " or later (ship it in a firmware update)", ids, worst));
            } else {
                recs.add(new Rec("no fixed version of " + comp.label() + " is known for " + String.join(", ", ids)
                        + ": isolate the device (quarantine zone, only required conduits) and watch it with the sensor", ids, worst));
            }
        }
        ImageVulnerabilities v = new ImageVulnerabilities(List.copyOf(items), nonCompliant, List.copyOf(recs));
        image.ifPresent(i -> imageVulnerabilities.put(i, v));
        return v;
    }

    private DevicePosture conclude(Device d, Optional<FirmwareImage> image, boolean sbomKnown, List<Finding> findings, List<CheckResult> checks, Instant now) {
        ImageVulnerabilities vulns = vulnerabilities(image, findings);
        List<Item> items = new ArrayList<>(vulns.items());
        boolean nonCompliant = vulns.nonCompliant();
        boolean unknown = image.isEmpty();
        for (CheckResult c : checks) {
            if (c.failed()) {
                if (c.severity().compareTo(CheckSeverity.MEDIUM) >= 0) nonCompliant = true;
                items.add(new Item(c.checkId() + ": " + c.title() + " failed" + (c.detail().isEmpty() ? "" : " (" + c.detail() + ")"), c.severity().weight(),
                        c.remediation().isEmpty() ? "fix " + c.checkId() : c.remediation(), c.checkId()));
            } else if (c.outcome() == CheckResult.Outcome.UNKNOWN && c.severity().compareTo(CheckSeverity.MEDIUM) >= 0) {
                unknown = true;
            }
        }
        double raw = RiskModel.combine(items.stream().mapToDouble(Item::risk).toArray());
        double risk = RiskModel.round(raw * RiskModel.exposure(d.tags()) * RiskModel.criticality(d.tags()));
        HealthSummary.Compliance compliance = nonCompliant ? HealthSummary.Compliance.NON_COMPLIANT
                : unknown ? HealthSummary.Compliance.UNKNOWN : HealthSummary.Compliance.COMPLIANT;
        List<String> reasons = new ArrayList<>(items.stream().sorted(Comparator.comparingDouble(Item::risk).reversed()).map(Item::reason).toList());
        if (image.isEmpty()) reasons.add("firmware unknown: no model or reported firmware.version");
        else if (!sbomKnown) reasons.add("no SBOM on file for " + image.get());
        for (CheckResult c : checks) {
            if (c.outcome() == CheckResult.Outcome.UNKNOWN && c.severity().compareTo(CheckSeverity.MEDIUM) >= 0) reasons.add(c.checkId() + ": not reported");
        }
        List<Rec> recs = new ArrayList<>(vulns.recs());
        for (Item i : items) if (i.action() != null) recs.add(new Rec(i.action(), List.of(i.because()), i.risk()));
        recs.sort(Comparator.comparingDouble(Rec::risk).reversed());
        List<Recommendation> ranked = new ArrayList<>();
        for (Rec r : recs) ranked.add(new Recommendation(ranked.size() + 1, r.action(), r.because(), RiskModel.round(r.risk())));
        return new DevicePosture(d.id().value(), image, sbomKnown, compliance, risk, reasons, findings, checks, ranked, now);
    }

    private static String pickHigher(SbomComponent c, String a, String b) {
        var scheme = c.purl().map(p -> dev.holdfast.posture.version.VersionScheme.forPurlType(p.type())).orElse(dev.holdfast.posture.version.VersionScheme.GENERIC);
        return scheme.compare(a, b) >= 0 ? a : b;
    }

    /** Stores the health summary when it changed and emits events for what is new since the last one. */
    private void record(Device d, DevicePosture p) {
        HealthSummary before = d.health();
        HealthSummary after = p.health();
        if (after.equals(before)) return;
        registry.devices().updateHealth(d.id(), after);
        Set<String> old = new HashSet<>(before.reasons());
        String id = d.id().value();
        for (Finding f : p.openFindings()) {
            String reason = after.reasons().stream().filter(r -> r.startsWith(f.advisory().id() + " in " + f.component().label())).findFirst().orElse(null);
            if (reason == null || old.contains(reason)) continue;
            double cvss = f.cvss().orElse(RiskModel.UNSCORED_CVSS);
            emit(SecurityEvent.builder(EventClass.VULNERABILITY_FINDING, "posture.vulnerability.finding").severity(severityOf(cvss)).device(id)
                    .source(SOURCE).time(p.evaluatedAt()).message(f.reason())
                    .detail("advisory", f.advisory().id()).detail("aliases", String.join(",", f.advisory().aliases()))
                    .detail("component", f.component().label()).detail("range", f.range()).detail("matchedBy", f.matchedBy())
                    .detail("cvss", cvss).detail("fixedVersion", f.fixedVersion().orElse(null))
                    .detail("image", p.image().map(Object::toString).orElse(null)).build());
        }
        for (CheckResult c : p.checks()) {
            if (!c.failed()) continue;
            String reason = after.reasons().stream().filter(r -> r.startsWith(c.checkId() + ": ")).findFirst().orElse(null);
            if (reason == null || old.contains(reason)) continue;
            emit(SecurityEvent.builder(EventClass.COMPLIANCE_FINDING, "posture.compliance.finding").severity(c.severity().eventSeverity()).device(id)
                    .source(SOURCE).time(p.evaluatedAt()).message(reason).detail("check", c.checkId()).detail("title", c.title())
                    .detail("reference", c.reference()).detail("detail", c.detail()).detail("remediation", c.remediation()).build());
        }
        if (before.compliance() != after.compliance()) {
            emit(SecurityEvent.builder(EventClass.DEVICE_CONFIG_STATE_CHANGE, "posture.compliance.changed")
                    .severity(after.compliance() == HealthSummary.Compliance.NON_COMPLIANT ? Severity.MEDIUM : Severity.INFORMATIONAL).device(id)
                    .source(SOURCE).time(p.evaluatedAt())
                    .message("device '" + id + "' " + before.compliance().wireName() + " -> " + after.compliance().wireName() + ", risk " + p.risk())
                    .detail("from", before.compliance().wireName()).detail("to", after.compliance().wireName()).detail("risk", p.risk()).build());
        }
    }

    private static Severity severityOf(double cvss) {
        if (cvss >= 9) return Severity.CRITICAL;
        if (cvss >= 7) return Severity.HIGH;
        if (cvss >= 4) return Severity.MEDIUM;
        return Severity.LOW;
    }

    // ------------------------------------------------------------------------------------ fleet

    /** Counts of the fleet after an evaluation. */
    public record FleetSummary(long devices, long compliant, long nonCompliant, long unknown, double meanRisk, List<DevicePosture> riskiest) {
        public FleetSummary {
            riskiest = List.copyOf(riskiest);
        }
    }

    /** Evaluates every device (pages of 1000) and stores what changed. */
    public FleetSummary evaluateFleet() {
        return evaluateWhere(d -> true);
    }

    /** Devices whose image is one of {@code images}: SBOM uploads and advisory imports re-evaluate these only. */
    public FleetSummary reevaluateImages(Set<FirmwareImage> images) {
        images.forEach(imageFindings::remove);
        images.forEach(imageVulnerabilities::remove);
        return evaluateWhere(d -> image(d, d.twin().reported().toNode()).map(images::contains).orElse(false));
    }

    private FleetSummary reevaluateAfterImport(ImportReport r) {
        Set<FirmwareImage> affected = new HashSet<>();
        for (SbomStore.Entry e : sboms.all()) {
            if (r.kev() + r.epss() > 0 || touches(e.sbom(), r.changedTargets())) affected.add(e.image());
        }
        log.info("advisory import changed {} package keys; re-evaluating {} firmware images", r.changedTargets().size(), affected.size());
        return affected.isEmpty() ? new FleetSummary(0, 0, 0, 0, 0, List.of()) : reevaluateImages(affected);
    }

    private static boolean touches(Sbom s, Set<String> keys) {
        for (SbomComponent c : s.components()) {
            if (c.purl().isPresent() && keys.contains(c.purl().get().packageKey())) return true;
            if (c.cpe().isPresent()) {
                String[] f = dev.holdfast.posture.advisory.Cpe.split(c.cpe().get());
                if (f != null && keys.contains(f[3].toLowerCase(java.util.Locale.ROOT) + ":" + f[4].toLowerCase(java.util.Locale.ROOT))) return true;
            }
            if (keys.contains("generic/" + c.name().toLowerCase(java.util.Locale.ROOT))) return true;
        }
        return false;
    }

    private FleetSummary evaluateWhere(java.util.function.Predicate<Device> which) {
        long n = 0, compliant = 0, non = 0, unknown = 0;
        double riskSum = 0;
        List<DevicePosture> top = new ArrayList<>();
        Optional<DeviceId> after = Optional.empty();
        for (int guard = 0; guard < 10_000_000; guard++) {
            DevicePage page = registry.devices().list(DeviceFilter.ALL, after, 1000);
            for (Device d : page.items()) {
                if (!which.test(d)) continue;
                try {
                    DevicePosture p = assess(d);
                    record(d, p);
                    n++;
                    riskSum += p.risk();
                    switch (p.compliance()) {
                        case COMPLIANT -> compliant++;
                        case NON_COMPLIANT -> non++;
                        case UNKNOWN -> unknown++;
                    }
                    top.add(p);
                    if (top.size() > 40) {
                        top.sort(Comparator.comparingDouble(DevicePosture::risk).reversed());
                        top = new ArrayList<>(top.subList(0, 10));
                    }
                } catch (RuntimeException e) {
                    log.error("posture evaluation of device {} failed", d.id().value(), e);
                }
            }
            if (page.next().isEmpty()) break;
            after = page.next();
        }
        top.sort(Comparator.comparingDouble(DevicePosture::risk).reversed());
        return new FleetSummary(n, compliant, non, unknown, n == 0 ? 0 : RiskModel.round(riskSum / n), top.subList(0, Math.min(10, top.size())));
    }

    /** Devices queued for re-evaluation: a burst of twin reports from one device queues it once. */
    private final Set<DeviceId> pending = ConcurrentHashMap.newKeySet();

    private void evaluateSoon(DeviceId id) {
        if (!pending.add(id)) return;
        submit(() -> {
            pending.remove(id);
            if (registry.devices().find(id).isPresent()) evaluate(id);
        });
    }

    /** A certificate of {@code deviceId} was issued, renewed or revoked: re-evaluate the device. */
    public void certificateChanged(String deviceId) {
        try {
            evaluateSoon(DeviceId.parse(deviceId));
        } catch (RuntimeException e) {
            log.debug("certificate event for a non-device subject {}", deviceId);
        }
    }

    /** Runs the fleet audit (see {@link FleetAudit}). */
    public FleetAudit.Report audit(List<java.security.cert.X509Certificate> caCertificates) {
        return FleetAudit.run(registry, caCertificates, pkiCredentials, clock.instant(), settings);
    }

    private void submit(Runnable r) {
        try {
            worker.execute(() -> {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    log.error("posture re-evaluation failed", e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("posture is closed; re-evaluation dropped");
        }
    }

    /** Waits until every re-evaluation triggered so far has run (tests, CLI). */
    public void flush(Duration timeout) throws TimeoutException, InterruptedException {
        try {
            worker.submit(() -> { }).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    private void emit(SecurityEvent e) {
        try {
            events.emit(e);
        } catch (RuntimeException ex) {
            log.error("security event {} could not be recorded", e.activity(), ex);
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        worker.shutdown();
        try {
            if (!worker.awaitTermination(10, TimeUnit.SECONDS)) worker.shutdownNow();
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
