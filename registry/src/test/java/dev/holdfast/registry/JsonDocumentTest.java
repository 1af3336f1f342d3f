package dev.holdfast.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** RFC 7386 JSON merge patch, with the examples of its Appendix A that apply to objects. */
class JsonDocumentTest {

    @ParameterizedTest(name = "{0} + {1} = {2}")
    @CsvSource(delimiter = '|', value = {
            "{\"a\":\"b\"}|{\"a\":\"c\"}|{\"a\":\"c\"}",
            "{\"a\":\"b\"}|{\"b\":\"c\"}|{\"a\":\"b\",\"b\":\"c\"}",
            "{\"a\":\"b\"}|{\"a\":null}|{}",
            "{\"a\":\"b\",\"b\":\"c\"}|{\"a\":null}|{\"b\":\"c\"}",
            "{\"a\":[\"b\"]}|{\"a\":\"c\"}|{\"a\":\"c\"}",
            "{\"a\":\"c\"}|{\"a\":[\"b\"]}|{\"a\":[\"b\"]}",
            "{\"a\":{\"b\":\"c\"}}|{\"a\":{\"b\":\"d\",\"c\":null}}|{\"a\":{\"b\":\"d\"}}",
            "{\"a\":[{\"b\":\"c\"}]}|{\"a\":[1]}|{\"a\":[1]}",
            "{\"e\":null}|{\"a\":1}|{\"e\":null,\"a\":1}",
            "{}|{\"a\":{\"bb\":{\"ccc\":null}}}|{\"a\":{\"bb\":{}}}",
            "{\"a\":\"foo\"}|{\"a\":{\"b\":1}}|{\"a\":{\"b\":1}}"})
    void merge_followsRfc7386(String target, String patch, String expected) {
        JsonDocument t = JsonDocument.parse(target);
        assertThat(t.merge(JsonDocument.parse(patch))).isEqualTo(JsonDocument.parse(expected));
        assertThat(t).isEqualTo(JsonDocument.parse(target)); // unchanged
    }

    @Test
    void documents_areImmutable_andEqualRegardlessOfMemberOrder() {
        var node = new ObjectMapper().createObjectNode().put("a", 1);
        JsonDocument d = JsonDocument.of(node);
        node.put("a", 2);
        d.toNode().put("a", 3);
        assertThat(d.json()).isEqualTo("{\"a\":1}");
        assertThat(JsonDocument.parse("{\"x\":1,\"y\":2}")).isEqualTo(JsonDocument.parse("{\"y\":2,\"x\":1}"));
    }
}
