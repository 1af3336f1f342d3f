package dev.holdfast.registry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** IoT Hub's device id rules: case-sensitive, 1..128 of ASCII letters, digits and -.+%_#*?!(),:=@$'. */
class DeviceIdTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "meter-0001", "Meter.0001", "x+y%z_#*?!(),:=@$'", "x'OR'1'='1", "a'--"})
    void valid(String id) {
        assertThat(DeviceId.isValid(id)).isTrue();
        assertThat(DeviceId.parse(id).value()).isEqualTo(id);
    }

    @Test
    void length_128IsTheMaximum() {
        assertThat(DeviceId.isValid("a".repeat(128))).isTrue();
        assertThatThrownBy(() -> DeviceId.parse("a".repeat(129))).hasMessageContaining("129 characters (expected: at most 128)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "with space", "a/b", "a\\b", "é", "tab\there", "semi;colon", "quote\"d", "<x>", "a&b", "new\nline", "[x]", "{x}"})
    void invalid_isRefusedNamingTheCharacterAndTheRule(String id) {
        assertThat(DeviceId.isValid(id)).isFalse();
        assertThatThrownBy(() -> DeviceId.parse(id)).isInstanceOfSatisfying(RegistryRefusedException.class, e -> {
            assertThat(e.refusal().code()).isEqualTo("invalid-device-id");
            assertThat(e.refusal().message()).startsWith("deviceId: ");
        });
        assertThatThrownBy(() -> new DeviceId(id)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ids_areCaseSensitive() {
        assertThat(new DeviceId("Meter")).isNotEqualTo(new DeviceId("meter"));
    }

    @Test
    void refusal_escapesControlCharacters() {
        assertThatThrownBy(() -> DeviceId.parse("a\u0007b")).hasMessageContaining("a\\u0007b").hasMessageContaining("(U+0007) at offset 1");
    }
}
