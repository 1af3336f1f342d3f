package dev.holdfast.registry.query;

import com.fasterxml.jackson.databind.JsonNode;
import dev.holdfast.registry.query.DeviceQueries.QueryPage;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InMemoryDeviceQueriesTest {
    private final List<JsonNode> twins = TestFleet.twins(QueryTableTest.devices());
    private final InMemoryDeviceQueries queries = new InMemoryDeviceQueries(() -> twins);

    @Test
    void execute_pagesThroughTheEvaluatorsResult() {
        String q = "SELECT deviceId FROM devices WHERE tags.site = 'plant-3' ORDER BY deviceId DESC";
        QueryPage p1 = queries.execute(q, Optional.empty(), 2);
        QueryPage p2 = queries.execute(q, p1.continuation(), 2);
        assertThat(p1.rows()).extracting(r -> r.get("deviceId").asText()).containsExactly("d06", "d02");
        assertThat(p2.rows()).extracting(r -> r.get("deviceId").asText()).containsExactly("d01");
        assertThat(p2.continuation()).isEmpty();
    }

    @Test
    void execute_returnsCopies_andRefusesOtherQueriesTokens() {
        QueryPage p = queries.execute("SELECT * FROM devices", Optional.empty(), 1);
        ((com.fasterxml.jackson.databind.node.ObjectNode) p.rows().get(0)).put("deviceId", "changed");
        assertThat(twins.get(0).get("deviceId").asText()).isEqualTo("d01");
        assertThatThrownBy(() -> queries.execute("SELECT deviceId FROM devices", p.continuation(), 1)).isInstanceOf(QuerySyntaxException.class);
        assertThatThrownBy(() -> queries.execute("SELECT * FROM devices", Optional.of("!!"), 1)).isInstanceOf(QuerySyntaxException.class);
        assertThatThrownBy(() -> queries.execute("SELECT * FROM devices", Optional.empty(), 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
