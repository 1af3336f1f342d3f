package dev.holdfast.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Stored sparse, shown in full: every member shows when it last changed. */
class TwinMetadataTest {
    static final String T1 = "2026-11-30T10:00:00Z", T2 = "2026-11-30T11:00:00Z", T3 = "2026-11-30T12:00:00Z";

    static JsonDocument doc(String json) {
        return JsonDocument.parse(json);
    }

    @Test
    void fresh_isCompact_andExpandsToEveryMemberAtTheSameTime() {
        JsonDocument meta = TwinMetadata.fresh(1, T1);
        assertThat(meta.json()).isEqualTo("{\"desired\":{\"$lastUpdated\":\"" + T1 + "\",\"$freshVersion\":1},\"reported\":{\"$lastUpdated\":\"" + T1 + "\"}}");
        ObjectNode shown = TwinMetadata.expand(meta, doc("{\"fw\":{\"v\":\"2.1\"},\"mode\":\"eco\"}"), doc("{\"battery\":80}"));
        assertThat(shown.at("/desired/$lastUpdated").asText()).isEqualTo(T1);
        assertThat(shown.at("/desired/fw/v/$lastUpdated").asText()).isEqualTo(T1);
        assertThat(shown.at("/desired/fw/v/$lastUpdatedVersion").asLong()).isEqualTo(1);
        assertThat(shown.at("/desired/mode/$lastUpdatedVersion").asLong()).isEqualTo(1);
        assertThat(shown.at("/reported/battery/$lastUpdated").asText()).isEqualTo(T1);
        assertThat(shown.at("/reported/battery").has("$lastUpdatedVersion")).isFalse();
    }

    @Test
    void touch_stampsOnlyWhatThePatchSets_andTheObjectsAboveIt() {
        JsonDocument before = doc("{\"fw\":{\"v\":\"2.1\",\"channel\":\"stable\"},\"mode\":\"eco\"}");
        JsonDocument meta = TwinMetadata.fresh(1, T1);
        JsonDocument patch = doc("{\"fw\":{\"v\":\"2.2\"}}");
        JsonDocument after = before.merge(patch);
        meta = TwinMetadata.touch(meta, "desired", before, patch, T2, OptionalLong.of(2));
        ObjectNode shown = TwinMetadata.expand(meta, after, JsonDocument.empty());
        assertThat(shown.at("/desired/$lastUpdated").asText()).isEqualTo(T2);
        assertThat(shown.at("/desired/fw/$lastUpdated").asText()).isEqualTo(T2);
        assertThat(shown.at("/desired/fw/v/$lastUpdated").asText()).isEqualTo(T2);
        assertThat(shown.at("/desired/fw/v/$lastUpdatedVersion").asLong()).isEqualTo(2);
        assertThat(shown.at("/desired/fw/channel/$lastUpdated").asText()).isEqualTo(T1);
        assertThat(shown.at("/desired/fw/channel/$lastUpdatedVersion").asLong()).isEqualTo(1);
        assertThat(shown.at("/desired/mode/$lastUpdated").asText()).isEqualTo(T1);

        // A later patch elsewhere keeps fw's stamps; a removed member loses its metadata.
        JsonDocument patch3 = doc("{\"mode\":null,\"new\":{\"x\":1}}");
        JsonDocument after3 = after.merge(patch3);
        meta = TwinMetadata.touch(meta, "desired", after, patch3, T3, OptionalLong.of(3));
        shown = TwinMetadata.expand(meta, after3, JsonDocument.empty());
        assertThat(shown.at("/desired/$lastUpdated").asText()).isEqualTo(T3);
        assertThat(shown.at("/desired/fw/v/$lastUpdated").asText()).isEqualTo(T2);
        assertThat(shown.at("/desired/fw/channel/$lastUpdated").asText()).isEqualTo(T1);
        assertThat(shown.at("/desired/new/x/$lastUpdated").asText()).isEqualTo(T3);
        assertThat(shown.at("/desired/new/x/$lastUpdatedVersion").asLong()).isEqualTo(3);
        assertThat(shown.at("/desired").has("mode")).isFalse();
    }
}
