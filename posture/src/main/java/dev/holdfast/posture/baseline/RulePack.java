package dev.holdfast.posture.baseline;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.holdfast.posture.CheckResult;
import dev.holdfast.posture.CheckSeverity;
import dev.holdfast.posture.MalformedDocumentException;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A configuration baseline: rules in YAML whose conditions are CEL expressions, compiled once.
 * <pre>{@code
 * pack: holdfast-default
 * rules:
 *   - id: HF-BASE-SSH-PASSWORD
 *     title: SSH password login is off
 *     rationale: ...
 *     severity: high                 # low | medium | high | critical
 *     reference: ETSI EN 303 645 5.1-1
 *     applies: "'ssh' in reported.services"
 *     condition: "!reported.services.ssh.passwordLogin"
 *     remediation: ...
 * }</pre>
 * A condition that reads a property the device has not reported ends {@link CheckResult.Outcome#UNKNOWN}
 * (CEL's "no such key"), not failed: posture does not guess.
 */
public final class RulePack {
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).build()).build());
    private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("reported", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .addVar("tags", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .addVar("device", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .addVar("observed", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .build();
    private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();
    public static final int MAX_RULES = 500;

    private record Compiled(Rule rule, CelRuntime.Program condition, Optional<CelRuntime.Program> applies) {}

    private final String name;
    private final List<Compiled> rules;

    private RulePack(String name, List<Compiled> rules) {
        this.name = name;
        this.rules = List.copyOf(rules);
    }

    public String name() {
        return name;
    }

    public List<Rule> rules() {
        return rules.stream().map(Compiled::rule).toList();
    }

    /** The pack Holdfast ships ({@code dev/holdfast/posture/baseline/default-pack.yaml}). */
    public static RulePack defaultPack() {
        try (InputStream in = RulePack.class.getResourceAsStream("default-pack.yaml")) {
            if (in == null) throw new IllegalStateException("default-pack.yaml missing from the posture jar");
            return parse(in.readAllBytes());
        } catch (IOException | MalformedDocumentException e) {
            throw new IllegalStateException("the default rule pack does not load: " + e.getMessage(), e);
        }
    }

    /** Parses and compiles a pack; refuses with the rule and field at fault. */
    public static RulePack parse(byte[] yaml) throws MalformedDocumentException {
        if (yaml.length > 1 << 20) throw new MalformedDocumentException("", "rule pack of " + yaml.length + " bytes exceeds 1 MiB");
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (IOException | RuntimeException e) {
            throw new MalformedDocumentException("", "not valid YAML: " + e.getMessage());
        }
        if (root == null || !root.isObject()) throw new MalformedDocumentException("$", "not a mapping (expected: pack, rules)");
        String name = root.path("pack").asText("");
        if (name.isEmpty()) throw new MalformedDocumentException("pack", "required");
        JsonNode list = root.path("rules");
        if (!list.isArray() || list.isEmpty()) throw new MalformedDocumentException("rules", "a non-empty list is required");
        if (list.size() > MAX_RULES) throw new MalformedDocumentException("rules", list.size() + " rules exceed " + MAX_RULES);
        List<Compiled> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        int i = 0;
        for (JsonNode r : list) {
            String at = "rules[" + i++ + "]";
            String id = text(r, "id", at);
            if (!id.matches("[A-Za-z0-9._-]{1,64}")) throw new MalformedDocumentException(at + ".id", "'" + id + "' (expected: 1..64 of A-Z a-z 0-9 . _ -)");
            if (!ids.add(id)) throw new MalformedDocumentException(at + ".id", "'" + id + "' appears twice");
            String sev = text(r, "severity", at);
            CheckSeverity severity = CheckSeverity.parse(sev)
                    .orElseThrow(() -> new MalformedDocumentException(at + ".severity", "'" + sev + "' (expected: low, medium, high or critical)"));
            String condition = text(r, "condition", at);
            Optional<String> applies = r.path("applies").isTextual() ? Optional.of(r.get("applies").asText()) : Optional.empty();
            Rule rule = new Rule(id, text(r, "title", at), r.path("rationale").asText(""), severity, r.path("reference").asText(""), condition, applies,
                    r.path("remediation").asText(""));
            out.add(new Compiled(rule, program(condition, at + ".condition"), applies.isPresent() ? Optional.of(program(applies.get(), at + ".applies")) : Optional.empty()));
        }
        return new RulePack(name, out);
    }

    private static CelRuntime.Program program(String expr, String at) throws MalformedDocumentException {
        if (expr.length() > 4096) throw new MalformedDocumentException(at, "expression longer than 4096 characters");
        CelValidationResult r = COMPILER.compile(expr);
        if (r.hasError()) throw new MalformedDocumentException(at, "CEL: " + r.getErrorString());
        try {
            CelAbstractSyntaxTree ast = r.getAst();
            if (!ast.getResultType().equals(SimpleType.BOOL) && !ast.getResultType().equals(SimpleType.DYN)) {
                throw new MalformedDocumentException(at, "CEL expression yields " + ast.getResultType() + " (expected: bool)");
            }
            return RUNTIME.createProgram(ast);
        } catch (CelValidationException | CelEvaluationException e) {
            throw new MalformedDocumentException(at, "CEL: " + e.getMessage());
        }
    }

    private static String text(JsonNode r, String f, String at) throws MalformedDocumentException {
        if (!r.path(f).isTextual() || r.get(f).asText().isBlank()) throw new MalformedDocumentException(at + "." + f, "required string");
        return r.get(f).asText();
    }

    /** Evaluates every rule; {@code vars} holds {@code reported}, {@code tags}, {@code device}, {@code observed} as plain Java maps. */
    public List<CheckResult> evaluate(Map<String, Object> vars) {
        List<CheckResult> out = new ArrayList<>(rules.size());
        for (Compiled c : rules) {
            Rule r = c.rule;
            CheckResult.Outcome outcome;
            String detail;
            try {
                if (c.applies.isPresent() && !Boolean.TRUE.equals(c.applies.get().eval(vars))) {
                    out.add(new CheckResult(r.id(), r.title(), r.severity(), r.reference(), CheckResult.Outcome.NOT_APPLICABLE, "", r.remediation()));
                    continue;
                }
                Object v = c.condition.eval(vars);
                if (v instanceof Boolean b) {
                    outcome = b ? CheckResult.Outcome.PASS : CheckResult.Outcome.FAIL;
                    detail = b ? "" : "condition false: " + r.condition();
                } else {
                    outcome = CheckResult.Outcome.UNKNOWN;
                    detail = "condition did not yield a boolean: " + v;
                }
            } catch (CelEvaluationException | RuntimeException e) {
                outcome = CheckResult.Outcome.UNKNOWN;
                detail = "not reported: " + shorten(e.getMessage());
            }
            out.add(new CheckResult(r.id(), r.title(), r.severity(), r.reference(), outcome, detail, r.remediation()));
        }
        return out;
    }

    private static String shorten(String s) {
        if (s == null) return "";
        s = s.replace('\n', ' ');
        return s.length() <= 200 ? s : s.substring(0, 200);
    }
}
