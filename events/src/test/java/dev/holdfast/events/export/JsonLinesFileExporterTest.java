package dev.holdfast.events.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.events.EventClass;
import dev.holdfast.events.SecurityEvent;
import dev.holdfast.events.StoredEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class JsonLinesFileExporterTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void send_rotatesBySizeAndKeepsTheNewestFiles() throws Exception {
        Path file = dir.resolve("events.jsonl");
        List<StoredEvent> batch = new ArrayList<>();
        for (int i = 1; i <= 200; i++) {
            batch.add(new StoredEvent(i, SecurityEvent.builder(EventClass.API_ACTIVITY, "api.call").message("call " + i).build()));
        }
        try (JsonLinesFileExporter exporter = new JsonLinesFileExporter(file, 8 * 1024, 3)) {
            assertThat(exporter.send(batch.subList(0, 100))).isEqualTo(100);
            assertThat(exporter.send(batch.subList(100, 200))).isEqualTo(200);
        }
        assertThat(Files.size(file)).isLessThanOrEqualTo(8 * 1024);
        assertThat(dir.resolve("events.jsonl.1")).exists();
        assertThat(dir.resolve("events.jsonl.3")).exists();
        assertThat(dir.resolve("events.jsonl.4")).doesNotExist();
        Set<Long> sequences = new HashSet<>();
        for (String name : List.of("events.jsonl.3", "events.jsonl.2", "events.jsonl.1", "events.jsonl")) {
            for (String line : Files.readAllLines(dir.resolve(name))) sequences.add(JSON.readTree(line).at("/metadata/sequence").asLong());
        }
        // The newest events survive rotation, whole and in order of files.
        assertThat(sequences).contains(200L, 199L).allMatch(s -> s > 0);
        long newestInCurrent = Files.readAllLines(file).stream().mapToLong(l -> {
            try {
                return JSON.readTree(l).at("/metadata/sequence").asLong();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).max().orElseThrow();
        assertThat(newestInCurrent).isEqualTo(200);
    }
}
