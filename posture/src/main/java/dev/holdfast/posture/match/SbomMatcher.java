package dev.holdfast.posture.match;

import dev.holdfast.posture.advisory.AdvisoryIndex;
import dev.holdfast.posture.advisory.AffectedPackage;
import dev.holdfast.posture.advisory.Cpe;
import dev.holdfast.posture.advisory.VersionRange;
import dev.holdfast.posture.sbom.Purl;
import dev.holdfast.posture.sbom.Sbom;
import dev.holdfast.posture.sbom.SbomComponent;
import dev.holdfast.posture.sbom.VexStatement;
import dev.holdfast.posture.version.VersionScheme;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Matches an SBOM's components against the {@link AdvisoryIndex}. Each component is looked up by its
 * keys only: its purl's {@code type/namespace/name}, its CPE's {@code vendor:product}, and, when it has
 * neither, {@code generic/<name>}. A clause applies when the version is in its explicit list or in one
 * of its ranges (OSV SEMVER/ECOSYSTEM events in the ecosystem's order, NVD CPE bounds; a CPE criterion
 * naming an exact version must equal it). GIT ranges cannot be evaluated against a release version and
 * only their explicit version list counts. One finding per advisory and component.
 */
public final class SbomMatcher {
    private final AdvisoryIndex index;

    public SbomMatcher(AdvisoryIndex index) {
        this.index = index;
    }

    public List<Finding> match(Sbom sbom) {
        Map<String, List<VexStatement>> vexByRef = new HashMap<>();
        for (VexStatement v : sbom.vex()) vexByRef.computeIfAbsent(v.componentRef(), k -> new ArrayList<>()).add(v);
        List<Finding> out = new ArrayList<>();
        for (SbomComponent c : sbom.components()) match(c, vexByRef, out);
        return out;
    }

    private void match(SbomComponent c, Map<String, List<VexStatement>> vex, List<Finding> out) {
        Optional<String> version = c.purl().flatMap(Purl::version).or(c::version);
        if (version.isEmpty()) return;
        String v = version.get();
        Set<String> seen = new HashSet<>();
        if (c.purl().isPresent()) {
            Purl p = c.purl().get();
            VersionScheme scheme = VersionScheme.forPurlType(p.type());
            for (AdvisoryIndex.Posting post : index.lookup(p.packageKey())) consider(c, v, scheme, "purl", post, vex, seen, out);
        }
        if (c.cpe().isPresent()) {
            String[] f = Cpe.split(c.cpe().get());
            if (f != null) {
                String key = Cpe.unescape(f[3]).toLowerCase(Locale.ROOT) + ":" + Cpe.unescape(f[4]).toLowerCase(Locale.ROOT);
                String cpeVersion = f[5].equals("*") || f[5].equals("-") ? v : Cpe.unescape(f[5]);
                VersionScheme scheme = c.purl().map(p -> VersionScheme.forPurlType(p.type())).orElse(VersionScheme.GENERIC);
                for (AdvisoryIndex.Posting post : index.lookup(key)) consider(c, cpeVersion, scheme, "cpe", post, vex, seen, out);
            }
        }
        if (c.purl().isEmpty() && c.cpe().isEmpty() && !c.name().isEmpty()) {
            for (AdvisoryIndex.Posting post : index.lookup("generic/" + c.name().toLowerCase(Locale.ROOT))) {
                consider(c, v, VersionScheme.GENERIC, "name", post, vex, seen, out);
            }
        }
    }

    private static void consider(SbomComponent c, String v, VersionScheme scheme, String by, AdvisoryIndex.Posting post,
                                 Map<String, List<VexStatement>> vex, Set<String> seen, List<Finding> out) {
        if (seen.contains(post.advisory().key())) return;
        AffectedPackage a = post.affected();
        String range = null;
        Optional<String> fixed = Optional.empty();
        if (a.target() instanceof AffectedPackage.CpeTarget t && t.exactVersion().isPresent()) {
            if (scheme.compare(v, t.exactVersion().get()) == 0) range = "CPE " + t.criteria();
        } else {
            for (String listed : a.versions()) {
                if (listed.equals(v) || scheme.compare(listed, v) == 0) {
                    range = "listed version " + listed;
                    break;
                }
            }
            if (range == null) {
                for (VersionRange r : a.ranges()) {
                    if (r.contains(v, scheme).orElse(false)) {
                        range = r.toString();
                        fixed = r.fixedAfter(v, scheme);
                        break;
                    }
                }
            }
        }
        if (range == null) return;
        seen.add(post.advisory().key());
        Optional<VexStatement> suppressed = Optional.empty();
        for (String ref : refs(c)) {
            for (VexStatement s : vex.getOrDefault(ref, List.of())) {
                if (post.advisory().ids().contains(s.advisoryId()) && s.state().suppresses()) suppressed = Optional.of(s);
            }
        }
        String what = a.target() instanceof AffectedPackage.CpeTarget t ? t.criteria() : a.target().key();
        String reason = c.label() + " version " + v + " (by " + by + ") is in " + post.advisory().id() + "'s range for " + what + ": " + range;
        out.add(new Finding(post.advisory(), c, by, range, reason, fixed, suppressed, dev.holdfast.posture.RiskModel.cvss(post.advisory())));
    }

    private static List<String> refs(SbomComponent c) {
        List<String> r = new ArrayList<>(2);
        c.ref().ifPresent(r::add);
        c.purl().ifPresent(p -> r.add(p.toString()));
        return r;
    }
}
