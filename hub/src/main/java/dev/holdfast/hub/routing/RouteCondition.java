package dev.holdfast.hub.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.holdfast.hub.TelemetryMessage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A route's CEL condition, compiled once. The expression sees {@code message} (a map with
 * {@code properties} and {@code system}, maps of strings; {@code deviceId}; {@code moduleId},
 * {@code ""} when none; {@code will}, a bool) and {@code body}, the JSON body (an empty map when the
 * body is not JSON). The standard macros ({@code has}, {@code exists}, {@code all}, ...) are on. It must yield a bool; an expression that fails on one message (a missing key, a
 * wrong type) does not match it.
 */
public final class RouteCondition {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final CelOptions OPTIONS = CelOptions.current().enableHeterogeneousNumericComparisons(true).build();
    private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
            .setOptions(OPTIONS)
            .setStandardMacros(dev.cel.parser.CelStandardMacro.STANDARD_MACROS)
            .addVar("message", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .addVar("body", SimpleType.DYN)
            .setResultType(SimpleType.BOOL)
            .build();
    private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();

    private final String source;
    private final CelRuntime.Program program;

    private RouteCondition(String source, CelRuntime.Program program) {
        this.source = source;
        this.program = program;
    }

    /** @throws IllegalArgumentException with CEL's explanation when it does not compile to a bool */
    public static RouteCondition compile(String expression) {
        if (expression == null || expression.isBlank()) throw new IllegalArgumentException("empty (expected: a CEL expression yielding a bool)");
        try {
            CelAbstractSyntaxTree ast = COMPILER.compile(expression).getAst();
            return new RouteCondition(expression, RUNTIME.createProgram(ast));
        } catch (CelValidationException e) {
            throw new IllegalArgumentException("does not compile: " + e.getMessage().lines().findFirst().orElse("").strip(), e);
        } catch (dev.cel.common.CelException e) {
            throw new IllegalArgumentException("cannot run: " + e.getMessage(), e);
        }
    }

    public static RouteCondition always() {
        return compile("true");
    }

    /** False when the expression fails on this message. */
    public boolean test(Map<String, Object> variables) {
        try {
            return Boolean.TRUE.equals(program.eval(variables));
        } catch (CelEvaluationException | RuntimeException failsOnThisMessage) {
            return false;
        }
    }

    /** The variables of one message; computed once per message for all routes. */
    public static Map<String, Object> variables(TelemetryMessage m) {
        Map<String, Object> message = new HashMap<>(8);
        message.put("properties", m.properties());
        message.put("system", m.system());
        message.put("deviceId", m.deviceId());
        message.put("moduleId", m.moduleId().orElse(""));
        message.put("will", m.will());
        return Map.of("message", message, "body", body(m.body().toArray()));
    }

    static Object body(byte[] bytes) {
        if (bytes.length == 0) return Map.of();
        try {
            JsonNode n = JSON.readTree(bytes);
            Object v = n == null ? null : cel(n, 0);
            // A JSON null or no document at all (only whitespace, found by fuzzing): the empty map, never null.
            return v == null ? Map.of() : v;
        } catch (IOException | RuntimeException notJson) {
            return Map.of();
        }
    }

    /** JSON to CEL values: integers as long, other numbers as double; nesting bounded by Jackson's own limits. */
    private static Object cel(JsonNode n, int depth) {
        if (n.isObject()) {
            Map<String, Object> m = new HashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                Object v = cel(e.getValue(), depth + 1);
                if (v != null) m.put(e.getKey(), v);
            }
            return m;
        }
        if (n.isArray()) {
            List<Object> l = new ArrayList<>(n.size());
            for (JsonNode c : n) {
                Object v = cel(c, depth + 1);
                if (v != null) l.add(v);
            }
            return l;
        }
        if (n.isIntegralNumber()) return n.canConvertToLong() ? (Object) n.longValue() : (Object) n.doubleValue();
        if (n.isNumber()) return n.doubleValue();
        if (n.isBoolean()) return n.booleanValue();
        if (n.isTextual()) return n.textValue();
        return null; // JSON null: absent, so has() is false
    }

    @Override
    public String toString() {
        return source;
    }
}
