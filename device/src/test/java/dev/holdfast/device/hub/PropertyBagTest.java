package dev.holdfast.device.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.holdfast.device.MalformedMessageException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class PropertyBagTest {
    @Test
    void encode_keepsALiteralDollarForSystemProperties_andPercentEncodesTheRest() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("$.ct", "application/json");
        p.put("room no", "4&5=ok+");
        assertThat(PropertyBag.encode(p)).isEqualTo("$.ct=application%2Fjson&room%20no=4%265%3Dok%2B");
    }

    @Test
    void decode_readsHubStyleEncodedSystemProperties_andRoundTrips() throws Exception {
        assertThat(PropertyBag.decode("%24.mid=7&%24.to=%2Fdevices%2Fd1&k=a+b&flag&&"))
                .containsExactly(Map.entry("$.mid", "7"), Map.entry("$.to", "/devices/d1"), Map.entry("k", "a+b"), Map.entry("flag", ""));
        Map<String, String> p = new LinkedHashMap<>();
        p.put("$.cid", "x/y");
        p.put("ünï", "çödé = 100%");
        assertThat(PropertyBag.decode(PropertyBag.encode(p))).isEqualTo(p);
    }

    @Test
    void decode_rejectsBadPercentEncodingAndEmptyNames() {
        assertThatThrownBy(() -> PropertyBag.decode("a=%zz")).isInstanceOf(MalformedMessageException.class).hasMessageContaining("percent");
        assertThatThrownBy(() -> PropertyBag.decode("=v")).isInstanceOf(MalformedMessageException.class).hasMessageContaining("empty property name");
        assertThatThrownBy(() -> PropertyBag.decode("a".repeat(PropertyBag.MAX_LENGTH + 1))).isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void hubTopic_parsesEveryInboundKind() throws Exception {
        assertThat(HubTopic.parse("d1", "devices/d1/messages/devicebound/%24.mid=1&a=b"))
                .isEqualTo(new HubTopic.CloudToDevice(Map.of("$.mid", "1", "a", "b")));
        assertThat(HubTopic.parse("d1", "$iothub/twin/res/204/?$rid=9&$version=12")).isEqualTo(new HubTopic.TwinResponse(204, "9", OptionalLong.of(12)));
        assertThat(HubTopic.parse("d1", "$iothub/twin/PATCH/properties/desired/?$version=3")).isEqualTo(new HubTopic.DesiredPatch(OptionalLong.of(3)));
        assertThat(HubTopic.parse("d1", "$iothub/methods/POST/reboot/?$rid=ab")).isEqualTo(new HubTopic.MethodCall("reboot", "ab"));
        assertThat(HubTopic.parse("d1", "devices/d2/messages/devicebound/x=1")).isEqualTo(new HubTopic.Foreign("devices/d2/messages/devicebound/x=1"));
        assertThatThrownBy(() -> HubTopic.parse("d1", "$iothub/twin/res/20/?$rid=1")).hasMessageContaining("three digits");
        assertThatThrownBy(() -> HubTopic.parse("d1", "$iothub/twin/res/200/?$rid=1&$version=x")).hasMessageContaining("$version");
        assertThatThrownBy(() -> HubTopic.parse("d1", "$iothub/methods/POST/reboot")).isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void twin_parsesSectionsAndVersions_andRefusesNonObjects() throws Exception {
        Twin t = Twin.parse("{\"desired\":{\"a\":1,\"$version\":2},\"reported\":{\"$version\":5}}".getBytes());
        assertThat(t.desiredVersion()).isEqualTo(2);
        assertThat(t.reportedVersion()).isEqualTo(5);
        assertThat(Twin.parse("{}".getBytes()).desired().isEmpty()).isTrue();
        assertThatThrownBy(() -> Twin.parse("[1]".getBytes())).isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> Twin.parse("{\"desired\":3}".getBytes())).hasMessageContaining("desired");
        assertThatThrownBy(() -> Twin.parse("[".repeat(10_000).getBytes())).isInstanceOf(MalformedMessageException.class);
    }
}
