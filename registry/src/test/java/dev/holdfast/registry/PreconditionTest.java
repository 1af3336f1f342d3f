package dev.holdfast.registry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** If-Match as RFC 9110 §13.1.1 defines it: *, or a list of entity tags compared strongly. */
class PreconditionTest {

    @Test
    void parse() {
        assertThat(Precondition.parseIfMatch(null)).isInstanceOf(Precondition.None.class);
        assertThat(Precondition.parseIfMatch("  ")).isInstanceOf(Precondition.None.class);
        assertThat(Precondition.parseIfMatch("*")).isInstanceOf(Precondition.AnyVersion.class);
        assertThat(Precondition.parseIfMatch("\"tags-3\"")).isEqualTo(new Precondition.Matching(List.of(Etag.tags(3))));
        assertThat(Precondition.parseIfMatch("\"tags-3\", W/\"tags-4\",\"tags-5\"")).isEqualTo(new Precondition.Matching(List.of(Etag.tags(3), Etag.tags(5))));
    }

    @Test
    void weakTags_neverMatch() {
        assertThat(Precondition.parseIfMatch("W/\"tags-3\"").holdsFor(Etag.tags(3))).isFalse();
        assertThat(Precondition.parseIfMatch("\"tags-3\"").holdsFor(Etag.tags(3))).isTrue();
        assertThat(Precondition.parseIfMatch("\"tags-3\"").holdsFor(Etag.desired(3))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tags-3", "\"unterminated", "\"\"", "\"a\" junk", "W/tags"})
    void malformed_isRefused(String header) {
        assertThatThrownBy(() -> Precondition.parseIfMatch(header)).isInstanceOfSatisfying(RegistryRefusedException.class,
                e -> assertThat(e.refusal().code()).isEqualTo("invalid-if-match"));
    }
}
