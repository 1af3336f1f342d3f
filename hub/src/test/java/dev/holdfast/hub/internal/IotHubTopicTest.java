package dev.holdfast.hub.internal;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class IotHubTopicTest {

    @Test
    void telemetry_decodesJavaAndCStyleSystemPropertiesAndApplicationProperties() {
        assertThat(IotHubTopic.parse("devices/d1/messages/events/$.mid=1&%24.cid=c&a%20b=x%26y", "d1"))
                .isEqualTo(new IotHubTopic.Telemetry(null, Map.of("$.mid", "1", "$.cid", "c", "a b", "x&y")));
        assertThat(IotHubTopic.parse("devices/d1/messages/events/", "d1")).isEqualTo(new IotHubTopic.Telemetry(null, Map.of()));
        assertThat(IotHubTopic.parse("devices/d1/modules/m1/messages/events/k=v/", "d1")).isEqualTo(new IotHubTopic.Telemetry("m1", Map.of("k", "v")));
    }

    @Test
    void parse_refusesOtherDevicesPrefixesAndUnknownTopics() {
        assertThat(IotHubTopic.parse("devices/d2/messages/events/", "d1")).isInstanceOf(IotHubTopic.Foreign.class);
        assertThat(IotHubTopic.parse("devices/d10/messages/events/", "d1")).isInstanceOf(IotHubTopic.Foreign.class);
        assertThat(IotHubTopic.parse("devices/d/messages/events/", "d1")).isInstanceOf(IotHubTopic.Foreign.class);
        assertThat(IotHubTopic.parse("anything/else", "d1")).isInstanceOf(IotHubTopic.Foreign.class);
        assertThat(IotHubTopic.parse("devices/d1/messages/devicebound/x", "d1")).isInstanceOf(IotHubTopic.Malformed.class);
        assertThat(IotHubTopic.parse("devices/d1/messages/events/%zz", "d1")).isInstanceOf(IotHubTopic.Malformed.class);
        assertThat(IotHubTopic.parse("devices/d1/messages/events/a/b", "d1")).isInstanceOf(IotHubTopic.Malformed.class);
    }

    @Test
    void iothubTopics_needARequestId() {
        assertThat(IotHubTopic.parse("$iothub/twin/GET/?$rid=7", "d1")).isEqualTo(new IotHubTopic.TwinGet("7"));
        assertThat(IotHubTopic.parse("$iothub/twin/PATCH/properties/reported/?$rid=8", "d1")).isEqualTo(new IotHubTopic.TwinReported("8"));
        assertThat(IotHubTopic.parse("$iothub/methods/res/200/?$rid=a1", "d1")).isEqualTo(new IotHubTopic.MethodResponse(200, "a1"));
        assertThat(IotHubTopic.parse("$iothub/twin/GET/", "d1")).isInstanceOf(IotHubTopic.Malformed.class);
        assertThat(IotHubTopic.parse("$iothub/methods/res/abc/?$rid=1", "d1")).isInstanceOf(IotHubTopic.Malformed.class);
        assertThat(IotHubTopic.parse("$iothub/twin/PATCH/properties/desired/?$rid=1", "d1")).isInstanceOf(IotHubTopic.Malformed.class);
    }

    @Test
    void subscriptions_onlyInTheDevicesOwnNamespace() {
        assertThat(IotHubSubscription.of("devices/d1/messages/devicebound/#", "d1")).isEqualTo(IotHubSubscription.CLOUD_TO_DEVICE);
        assertThat(IotHubSubscription.of("$iothub/twin/res/#", "d1")).isEqualTo(IotHubSubscription.TWIN_RESPONSES);
        assertThat(IotHubSubscription.of("$iothub/twin/PATCH/properties/desired/#", "d1")).isEqualTo(IotHubSubscription.TWIN_DESIRED);
        assertThat(IotHubSubscription.of("$iothub/methods/POST/#", "d1")).isEqualTo(IotHubSubscription.METHODS);
        assertThat(IotHubSubscription.of("devices/d2/messages/devicebound/#", "d1")).isNull();
        assertThat(IotHubSubscription.of("devices/+/messages/devicebound/#", "d1")).isNull();
        assertThat(IotHubSubscription.of("#", "d1")).isNull();
        assertThat(IotHubSubscription.of("$iothub/#", "d1")).isNull();
        assertThat(IotHubSubscription.of("$iothub/twin/res/a#", "d1")).isNull();
    }

    @Test
    void propertyBag_encodesSystemPropertiesFirstAndRoundTrips() {
        String bag = PropertyBag.encode(Map.of("$.mid", "m 1"), Map.of("k/x", "v&w"));
        assertThat(bag).isEqualTo("%24.mid=m%201&k%2Fx=v%26w");
        assertThat(PropertyBag.decode(bag)).containsEntry("$.mid", "m 1").containsEntry("k/x", "v&w");
    }

    @Test
    void flagsGuard_refusesReservedFlagsThatTheDecoderWouldClear() {
        java.util.List<Object> events = new java.util.ArrayList<>();
        EmbeddedChannel ch = new EmbeddedChannel(new MqttFlagsGuard(), new MqttDecoder(), new io.netty.channel.ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(io.netty.channel.ChannelHandlerContext ctx, Object evt) {
                events.add(evt);
            }
        });
        // a clean PINGREQ, a PUBLISH split across two reads, then PINGREQ with flags 0001
        ch.writeInbound(Unpooled.wrappedBuffer(HexFormat.of().parseHex("c000" + "300500017868")));
        ch.writeInbound(Unpooled.wrappedBuffer(HexFormat.of().parseHex("69" + "c100")));
        MqttMessage ping = ch.readInbound();
        MqttMessage publish = ch.readInbound();
        assertThat(ping.fixedHeader().messageType()).isEqualTo(io.netty.handler.codec.mqtt.MqttMessageType.PINGREQ);
        assertThat(publish.fixedHeader().messageType()).isEqualTo(io.netty.handler.codec.mqtt.MqttMessageType.PUBLISH);
        io.netty.util.ReferenceCountUtil.release(publish);
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(events).singleElement().isInstanceOfSatisfying(MqttFlagsGuard.Violation.class,
                v -> assertThat(v.message()).contains("packet type 12", "0001"));
        ch.finishAndReleaseAll();
    }

    @Test
    void packetRules_refuseDupOnQos0Publish() {
        EmbeddedChannel ch = new EmbeddedChannel(new MqttDecoder());
        ch.writeInbound(Unpooled.wrappedBuffer(HexFormat.of().parseHex("38050001786869")));
        MqttMessage dup = ch.readInbound();
        assertThat(MqttPacketRules.flagsProblem(dup.fixedHeader())).contains("DUP");
        io.netty.util.ReferenceCountUtil.release(dup);
        ch.finishAndReleaseAll();
    }
}
