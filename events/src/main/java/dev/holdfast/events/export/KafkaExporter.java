package dev.holdfast.events.export;

import dev.holdfast.events.StoredEvent;
import dev.holdfast.events.ocsf.OcsfJson;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * OCSF JSON records on a Kafka topic, keyed by device id (events without a device have no key), so
 * one device's events stay in order on one partition. The producer is idempotent with
 * {@code acks=all}; a batch is confirmed when every record is acknowledged.
 */
public final class KafkaExporter implements Exporter {
    private final String topic;
    private final Map<String, Object> config;
    private final Duration timeout;
    private KafkaProducer<String, byte[]> producer;

    /** {@code properties} are passed to the producer as given (TLS and SASL settings live there). */
    public KafkaExporter(String bootstrapServers, String topic, Map<String, String> properties, Duration timeout) {
        this.topic = topic;
        this.timeout = timeout;
        Map<String, Object> c = new HashMap<>(properties);
        c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        c.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        c.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        c.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        // delivery.timeout.ms must cover linger.ms + request.timeout.ms, or the producer refuses its configuration.
        c.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis() / 2, 30_000));
        c.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
        c.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "holdfast-events");
        this.config = Map.copyOf(c);
    }

    @Override
    public long send(List<StoredEvent> batch) throws IOException {
        if (producer == null) producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
        List<Future<RecordMetadata>> acks = new ArrayList<>(batch.size());
        try {
            for (StoredEvent e : batch) {
                acks.add(producer.send(new ProducerRecord<>(topic, e.event().deviceId().orElse(null), OcsfJson.toJson(e))));
            }
            producer.flush();
            long deadline = System.nanoTime() + timeout.toNanos();
            for (Future<RecordMetadata> f : acks) f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new IOException("kafka topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("kafka topic " + topic + ": no acknowledgement within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while producing to " + topic);
        } catch (org.apache.kafka.common.KafkaException e) {
            Throwable root = e;
            while (root.getCause() != null) root = root.getCause();
            throw new IOException("kafka topic " + topic + ": " + e.getMessage() + (root == e ? "" : " (" + root.getMessage() + ")"), e);
        }
        return batch.get(batch.size() - 1).sequence();
    }

    @Override
    public void reset() {
        // The producer reconnects by itself; a fresh one also drops an idempotence state that may be fenced.
        close();
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
    }

    @Override
    public String toString() {
        return "kafka:" + topic;
    }
}
