package dev.holdfast.events.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.events.EventClass;
import dev.holdfast.events.SecurityEvent;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The Kafka exporter against an embedded single-node KRaft broker (Kafka 4.3.1). */
class KafkaExporterIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    static KafkaClusterTestKit startBroker(Path base) throws Exception {
        KafkaClusterTestKit kafka = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).setBaseDirectory(base).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                .setConfigProp("share.coordinator.state.topic.min.isr", "1")
                .build();
        kafka.format();
        kafka.startup();
        kafka.waitForReadyBrokers();
        return kafka;
    }

    @Test
    void events_reachTheTopicAsOcsfJsonKeyedByDevice() throws Exception {
        try (KafkaClusterTestKit kafka = startBroker(dir.resolve("kafka"))) {
            List<SecurityEvent> sent = new ArrayList<>();
            try (ExporterHarness h = new ExporterHarness(dir.resolve("data"))) {
                h.pipeline.add(ExporterSpec.named("kafka").withBatchSize(100), "kafka",
                        new KafkaExporter(kafka.bootstrapServers(), "holdfast.security-events", Map.of(), Duration.ofSeconds(30)));
                for (int i = 0; i < 250; i++) {
                    SecurityEvent e = SecurityEvent.builder(EventClass.AUTHENTICATION, "mqtt.connect")
                            .device(i % 10 == 0 ? null : "dev-" + (i % 7)).message("connect " + i).build();
                    h.log.append(e);
                    sent.add(e);
                }
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> h.pipeline.status().get(0).lag() == 0);
            }
            Map<String, Object> cfg = new HashMap<>();
            cfg.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            cfg.put(ConsumerConfig.GROUP_ID_CONFIG, "test");
            cfg.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            Map<String, ConsumerRecord<String, byte[]>> byId = new HashMap<>();
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(cfg, new StringDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(List.of("holdfast.security-events"));
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (byId.size() < sent.size() && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                        JsonNode json = JSON.readTree(r.value());
                        byId.put(json.at("/metadata/uid").asText(), r);
                    }
                }
            }
            assertThat(byId).hasSize(sent.size());
            for (SecurityEvent e : sent) {
                ConsumerRecord<String, byte[]> r = byId.get(e.id().toString());
                assertThat(r.key()).isEqualTo(e.deviceId().orElse(null));
                JsonNode json = JSON.readTree(r.value());
                assertThat(json.get("message").asText()).isEqualTo(e.message());
                assertThat(json.get("class_uid").asInt()).isEqualTo(3002);
            }
        }
    }
}
