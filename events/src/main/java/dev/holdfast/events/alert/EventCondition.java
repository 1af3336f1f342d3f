package dev.holdfast.events.alert;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.holdfast.events.SecurityEvent;

import java.util.HashMap;
import java.util.Map;

/**
 * A CEL condition over one security event, compiled once. The expression sees {@code event}, a map
 * with {@code class} (the class name, such as {@code "AUTHENTICATION"}), {@code class_uid} (int),
 * {@code activity}, {@code outcome} ({@code "SUCCESS"}, {@code "FAILURE"}, {@code "UNKNOWN"}),
 * {@code severity} (OCSF id, int), {@code device} ({@code ""} when none), {@code actor},
 * {@code source}, {@code message} and {@code details} (map of strings). It must yield a bool.
 */
public final class EventCondition {
    private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
            .addVar("event", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .setResultType(SimpleType.BOOL)
            .build();
    private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();

    private final String source;
    private final CelRuntime.Program program;

    private EventCondition(String source, CelRuntime.Program program) {
        this.source = source;
        this.program = program;
    }

    /** @throws IllegalArgumentException with CEL's own explanation (line, column, problem) when it does not compile to a bool */
    public static EventCondition compile(String expression) {
        if (expression == null || expression.isBlank()) throw new IllegalArgumentException("condition: empty (expected: a CEL expression yielding a bool)");
        try {
            CelAbstractSyntaxTree ast = COMPILER.compile(expression).getAst();
            return new EventCondition(expression, RUNTIME.createProgram(ast));
        } catch (CelValidationException e) {
            throw new IllegalArgumentException("condition does not compile: " + e.getMessage().lines().findFirst().orElse("").strip(), e);
        } catch (dev.cel.common.CelException e) {
            throw new IllegalArgumentException("condition cannot run: " + e.getMessage(), e);
        }
    }

    /** A condition that accepts every event. */
    public static EventCondition always() {
        return compile("true");
    }

    /** False, not an exception, when the expression fails on this event (say, a missing detail key). */
    public boolean test(SecurityEvent e) {
        try {
            return Boolean.TRUE.equals(program.eval(Map.of("event", variables(e))));
        } catch (CelEvaluationException missingOrWrongType) {
            return false;
        }
    }

    static Map<String, Object> variables(SecurityEvent e) {
        Map<String, Object> m = new HashMap<>(16);
        m.put("class", e.eventClass().name());
        m.put("class_uid", (long) e.eventClass().classUid());
        m.put("activity", e.activity());
        m.put("outcome", e.outcome().name());
        m.put("severity", (long) e.severity().id());
        m.put("device", e.deviceId().orElse(""));
        m.put("actor", e.actor());
        m.put("source", e.sourceModule());
        m.put("message", e.message());
        m.put("details", e.details());
        return m;
    }

    @Override
    public String toString() {
        return source;
    }
}
