package dev.holdfast.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RegistryLimitsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static JsonDocument doc(String json) {
        return JsonDocument.parse(json);
    }

    @Test
    void tags_upTo8KiBAreAccepted_oneByteMoreIsRefusedWithTheSizeAndTheLimit() {
        String filler = "x".repeat(8192 - "{\"a\":\"\"}".length());
        String exact = "{\"a\":\"" + filler + "\"}";
        assertThat(exact.length()).isEqualTo(8192);
        assertThatCode(() -> RegistryLimits.checkDocument("tags", doc(exact), RegistryLimits.MAX_TAGS_BYTES)).doesNotThrowAnyException();
        String over = "{\"a\":\"" + filler + "y\"}";
        assertThatThrownBy(() -> RegistryLimits.checkDocument("tags", doc(over), RegistryLimits.MAX_TAGS_BYTES))
                .isInstanceOfSatisfying(RegistryRefusedException.class, e -> {
                    assertThat(e.refusal().code()).isEqualTo("tags-too-large");
                    assertThat(e.refusal().message()).isEqualTo("tags: 8193 bytes exceeds the limit of 8192 bytes");
                });
    }

    @Test
    void size_isCountedInUtf8Bytes() {
        // 3000 euro signs: 3000 characters, 9000 UTF-8 bytes.
        String json = "{\"a\":\"" + "\u20ac".repeat(3000) + "\"}";
        assertThatThrownBy(() -> RegistryLimits.checkDocument("tags", doc(json), RegistryLimits.MAX_TAGS_BYTES)).hasMessageContaining("9008 bytes");
        assertThatThrownBy(() -> RegistryLimits.checkDocument("properties.reported", doc("{\"a\":\"" + "x".repeat(32 * 1024) + "\"}"),
                RegistryLimits.MAX_PROPERTIES_BYTES)).isInstanceOfSatisfying(RegistryRefusedException.class,
                e -> assertThat(e.refusal().code()).isEqualTo("reported-too-large"));
    }

    static String nested(int depth) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < depth; i++) b.append("{\"l").append(i).append("\":");
        b.append("1");
        b.append("}".repeat(depth));
        return b.toString();
    }

    @Test
    void depth_tenLevelsAreAccepted_elevenAreRefused() {
        assertThatCode(() -> RegistryLimits.checkDocument("tags", doc(nested(10)), RegistryLimits.MAX_TAGS_BYTES)).doesNotThrowAnyException();
        assertThatThrownBy(() -> RegistryLimits.checkDocument("tags", doc(nested(11)), RegistryLimits.MAX_TAGS_BYTES))
                .hasMessageContaining("nested deeper than 10 levels");
        assertThatThrownBy(() -> RegistryLimits.checkPatch("properties.desired", doc(nested(11)))).hasMessageContaining("deeper than 10");
    }

    @Test
    void arrays_countAsALevel() {
        String nine = nested(9).replace("1", "[1]");
        assertThatCode(() -> RegistryLimits.checkDocument("tags", doc(nine), 8192)).doesNotThrowAnyException();
        String ten = nested(10).replace("1", "[1]");
        assertThatThrownBy(() -> RegistryLimits.checkDocument("tags", doc(ten), 8192)).hasMessageContaining("deeper than 10");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a.b", "$version", "with space", "tab\t", ""})
    void keys_withReservedOrControlCharactersAreRefused(String key) throws Exception {
        ObjectNode n = JSON.createObjectNode().put(key, 1);
        assertThatThrownBy(() -> RegistryLimits.checkDocument("tags", JsonDocument.of(n), 8192))
                .isInstanceOfSatisfying(RegistryRefusedException.class, e -> assertThat(e.refusal().code()).isEqualTo("invalid-property-name"));
    }

    @Test
    void keys_upTo128Characters() {
        assertThatCode(() -> RegistryLimits.checkDocument("tags", JsonDocument.of(JSON.createObjectNode().put("k".repeat(128), 1)), 8192))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> RegistryLimits.checkDocument("tags", JsonDocument.of(JSON.createObjectNode().put("k".repeat(129), 1)), 8192))
                .hasMessageContaining("has 129 characters (expected: at most 128)");
    }

    @Test
    void nulls_deleteInPatches_butAreRefusedInStoredDocuments() {
        assertThatCode(() -> RegistryLimits.checkPatch("tags", doc("{\"a\":null,\"b\":{\"c\":null}}"))).doesNotThrowAnyException();
        assertThatThrownBy(() -> RegistryLimits.checkDocument("tags", doc("{\"a\":null}"), 8192)).hasMessageContaining("tags.a: null");
        assertThatThrownBy(() -> RegistryLimits.checkPatch("tags", doc("{\"a\":[1,null]}"))).hasMessageContaining("null inside an array");
    }

    @Test
    void strings_withNulAreRefused() {
        assertThatThrownBy(() -> RegistryLimits.checkDocument("tags", JsonDocument.of(JSON.createObjectNode().put("a", "x\u0000y")), 8192))
                .hasMessageContaining("NUL");
    }
}
