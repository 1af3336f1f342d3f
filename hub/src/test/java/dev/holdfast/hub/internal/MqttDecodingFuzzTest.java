package dev.holdfast.hub.internal;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.util.ReferenceCountUtil;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes the hub's inbound decoding path as a session sees it: bytes split at an arbitrary point
 * into the reserved-flags guard and Netty's {@code MqttDecoder} (strict UTF-8, a packet limit), then the header rules
 * and, for what decodes, the IoT Hub topic and subscription parsers with their property bags.
 * Invariants: nothing throws out of the pipeline; every decoded packet is either valid or carries a
 * failed decoder result, and nothing decodes after a failure (the session would close there);
 * the topic parsers always return a decision.
 */
class MqttDecodingFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void decode_yieldsPacketsOrOneFailure_neverThrows(byte[] input) {
        EmbeddedChannel ch = new EmbeddedChannel(new MqttFlagsGuard(), new MqttDecoder(4096, 257, true));
        try {
            int split = input.length == 0 ? 0 : (input[0] & 0xff) % (input.length + 1);
            ch.writeInbound(Unpooled.wrappedBuffer(input, 0, split));
            ch.writeInbound(Unpooled.wrappedBuffer(input, split, input.length - split));
            ch.checkException();
            boolean failed = false;
            Object o;
            while ((o = ch.readInbound()) != null) {
                try {
                    assertThat(o).isInstanceOf(MqttMessage.class);
                    assertThat(failed).as("a packet decoded after a failure").isFalse();
                    MqttMessage m = (MqttMessage) o;
                    if (m.decoderResult().isFailure()) {
                        failed = true;
                        continue;
                    }
                    MqttPacketRules.flagsProblem(m.fixedHeader());
                    if (m instanceof MqttPublishMessage p) {
                        assertThat(IotHubTopic.parse(p.variableHeader().topicName(), "dev-1")).isNotNull();
                    } else if (m instanceof MqttSubscribeMessage s) {
                        for (MqttTopicSubscription t : s.payload().topicSubscriptions()) IotHubSubscription.of(t.topicFilter(), "dev-1");
                    }
                } finally {
                    ReferenceCountUtil.release(o);
                }
            }
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    @FuzzTest(maxDuration = "30s")
    void topicParsers_alwaysDecide(String topic) {
        if (topic == null) return; // Netty never yields a null topic

        assertThat(IotHubTopic.parse(topic, "dev-1")).isNotNull();
        IotHubSubscription.of(topic, "dev-1");
        PropertyBag.decode(topic);
    }
}
