package dev.holdfast.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Fuzzes the configuration loader, which reads an operator's file: malformed or hostile YAML must end in
 * a {@link ConfigException} whose every error is one line, never in another exception.
 *
 * <p>In the normal build this replays saved inputs only; {@link ConfigLoaderTest} covers every prefix of
 * a full configuration deterministically.
 */
class ConfigLoaderFuzzTest {
    private static final Map<String, String> ENV = Map.of("HOLDFAST_SERVER_PUBLIC_HOSTNAME", "holdfast.test");

    @FuzzTest(maxDuration = "30s")
    void parse_loadsOrReportsErrorsInOneLineEach(byte[] input) {
        String yaml = new String(input, StandardCharsets.UTF_8);
        try {
            new ConfigLoader().parse(yaml, "fuzz.yaml", ENV);
        } catch (ConfigException expected) {
            assertThat(expected.errors()).isNotEmpty().allSatisfy(error -> assertThat(error.toString()).doesNotContain("\n"));
        }
    }
}
