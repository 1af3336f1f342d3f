package dev.holdfast.hub.routing;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.holdfast.hub.TelemetryMessage;
import dev.holdfast.pki.Bytes;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes what a route reads from a device's message body: the JSON body turned into CEL values, the
 * conditions evaluated over it, and the JSON Lines / webhook encoding. Invariants: nothing throws;
 * a condition yields true or false; the encoding is one line of JSON.
 */
class RouteBodyFuzzTest {
    private static final RouteCondition[] CONDITIONS = {
            RouteCondition.compile("message.properties.alarm == 'high' && body.t > 30"),
            RouteCondition.compile("has(body.a) && body.a.b[0] == 1"),
            RouteCondition.compile("body.size() > 2 || body.x.startsWith('y')"),
    };

    @FuzzTest(maxDuration = "30s")
    void body_evaluatesAndEncodes_neverThrows(byte[] input) {
        TelemetryMessage m = new TelemetryMessage("dev-1", Optional.empty(), Instant.EPOCH, Map.of(), Map.of("alarm", "high"),
                Bytes.wrapOwned(input.clone()), false);
        Map<String, Object> vars = RouteCondition.variables(m);
        for (RouteCondition c : CONDITIONS) c.test(vars);
        byte[] json = TelemetryJson.encode(m);
        for (byte b : json) assertThat(b).isNotEqualTo((byte) '\n');
    }
}
