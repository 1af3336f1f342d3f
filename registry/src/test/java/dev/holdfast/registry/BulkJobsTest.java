package dev.holdfast.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.testing.TestDatabases;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bulk import and export: round trip, idempotence, resume after a stop, and refused lines. */
class BulkJobsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ACTOR = "token:test";

    @TempDir
    Path dir;

    static DeviceId id(String s) {
        return new DeviceId(s);
    }

    /** A small fleet with every kind of field set somewhere. */
    static void seed(RegistryFixture f) {
        f.registry.models().create(new DeviceModel.Definition("m1", "Acme", "M1", Optional.empty(), Optional.empty(), Optional.empty()), ACTOR);
        DeviceRegistry r = f.devices();
        r.create(NewDevice.builder(id("zz-gateway")).capabilities(Capabilities.GATEWAY).hub("hub-1.example").lifecycle(LifecycleState.ACTIVE)
                .authentication(Authentication.caSigned()).tags(JsonDocument.parse("{\"site\":\"plant-3\"}")).build(), ACTOR);
        r.create(NewDevice.builder(id("zz-gateway-2")).capabilities(Capabilities.GATEWAY).parent(id("zz-gateway")).build(), ACTOR);
        r.create(NewDevice.builder(id("a-child")).parent(id("zz-gateway-2")).model("m1").authentication(Authentication.certificate("11".repeat(32), "22".repeat(32)))
                .desired(JsonDocument.parse("{\"interval\":60,\"fw\":{\"version\":\"2.1\"}}")).reported(JsonDocument.parse("{\"fw\":{\"version\":\"2.0\"},\"battery\":71}"))
                .tags(JsonDocument.parse("{\"site\":\"plant-3\",\"line\":{\"id\":4}}")).build(), ACTOR);
        r.create(NewDevice.builder(id("old")).lifecycle(LifecycleState.DECOMMISSIONED).statusReason("scrapped").build(), ACTOR);
        r.create(NewDevice.builder(id("off")).status(DeviceStatus.DISABLED).statusReason("stolen").build(), ACTOR);
        for (int i = 0; i < 30; i++) r.create(NewDevice.builder(id(String.format("m-%03d", i))).tags(JsonDocument.parse("{\"n\":" + i + "}")).build(), ACTOR);
    }

    static List<JsonNode> lines(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(file)) out.add(JSON.readTree(l));
        return out;
    }

    static Map<String, Device> all(RegistryFixture f) {
        Map<String, Device> m = new HashMap<>();
        Optional<DeviceId> after = Optional.empty();
        do {
            DevicePage p = f.devices().list(DeviceFilter.ALL, after, 1000);
            p.items().forEach(d -> m.put(d.id().value(), d));
            after = p.next();
        } while (after.isPresent());
        return m;
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void exportThenImportElsewhere_recreatesTheFleet_andExportsTheSame(TestDatabases.Kind kind) throws Exception {
        Path exported;
        Map<String, Device> original;
        try (RegistryFixture f = RegistryFixture.open(kind, dir.resolve("one"))) {
            seed(f);
            RegistryJob job = f.await(f.registry.jobs().export(ACTOR));
            assertThat(job.status()).isEqualTo(RegistryJob.Status.COMPLETED);
            assertThat(job.position()).isEqualTo(35);
            assertThat(job.total()).contains(35L);
            exported = Files.copy(f.registry.jobs().exportFile(job.id()), dir.resolve("fleet.jsonl"));
            original = all(f);
            assertThat(f.activities()).contains("registry.export.completed");
        }
        List<JsonNode> lines = lines(exported);
        List<String> order = lines.stream().map(l -> l.path("deviceId").asText()).toList();
        assertThat(order.indexOf("zz-gateway")).isLessThan(order.indexOf("zz-gateway-2"));
        assertThat(order.indexOf("zz-gateway-2")).isLessThan(order.indexOf("a-child"));

        try (RegistryFixture g = RegistryFixture.open(kind, dir.resolve("two"))) {
            g.registry.models().create(new DeviceModel.Definition("m1", "Acme", "M1", Optional.empty(), Optional.empty(), Optional.empty()), ACTOR);
            Path source = Files.copy(exported, g.registry.jobs().importDirectory().resolve("fleet.jsonl"));
            RegistryJob imported = g.await(g.registry.jobs().importFile(Path.of("fleet.jsonl"), ACTOR));
            assertThat(imported.errors()).isEmpty();
            assertThat(imported.counts()).isEqualTo(new RegistryJob.Counts(35, 0, 0, 0));
            assertThat(source).exists();
            Map<String, Device> copy = all(g);
            assertThat(copy.keySet()).isEqualTo(original.keySet());
            for (Device d : original.values()) {
                Device c = copy.get(d.id().value());
                assertThat(DeviceJson.exportLine(c)).as(d.id().value()).isEqualTo(DeviceJson.exportLine(d));
            }
            RegistryJob again = g.await(g.registry.jobs().export(ACTOR));
            assertThat(lines(g.registry.jobs().exportFile(again.id()))).isEqualTo(lines);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void importingTheSameFileTwice_yieldsTheSameRegistry_versionsIncluded(TestDatabases.Kind kind) throws Exception {
        try (RegistryFixture f = RegistryFixture.open(kind, dir, 7)) {
            f.registry.models().create(new DeviceModel.Definition("m1", "Acme", "M1", Optional.empty(), Optional.empty(), Optional.empty()), ACTOR);
            StringBuilder b = new StringBuilder();
            b.append("{\"deviceId\":\"gw\",\"capabilities\":{\"gateway\":true},\"lifecycle\":\"active\"}\n");
            for (int i = 0; i < 40; i++) {
                b.append("{\"deviceId\":\"d").append(i).append("\",\"parentId\":\"gw\",\"modelId\":\"m1\",\"tags\":{\"i\":").append(i)
                        .append("},\"properties\":{\"reported\":{\"fw\":{\"version\":\"2.").append(i % 3).append("\"}}}}\n");
            }
            Path file = Files.writeString(f.registry.jobs().importDirectory().resolve("fleet.jsonl"), b);
            RegistryJob first = f.await(f.registry.jobs().importFile(file, ACTOR));
            assertThat(first.counts()).isEqualTo(new RegistryJob.Counts(41, 0, 0, 0));
            Map<String, Device> before = all(f);
            f.clock.advance(java.time.Duration.ofHours(1));
            RegistryJob second = f.await(f.registry.jobs().importFile(file, ACTOR));
            assertThat(second.counts()).isEqualTo(new RegistryJob.Counts(0, 0, 41, 0));
            assertThat(second.succeeded()).isEqualTo(41);
            assertThat(all(f)).isEqualTo(before);

            // A changed line updates only that device, and only the part that changed.
            Files.writeString(file, b.toString().replace("{\"deviceId\":\"d7\",\"parentId\":\"gw\",\"modelId\":\"m1\",\"tags\":{\"i\":7}",
                    "{\"deviceId\":\"d7\",\"parentId\":\"gw\",\"modelId\":\"m1\",\"tags\":{\"i\":70}"));
            RegistryJob third = f.await(f.registry.jobs().importFile(file, ACTOR));
            assertThat(third.counts()).isEqualTo(new RegistryJob.Counts(0, 1, 40, 0));
            Device d7 = f.devices().get(id("d7"));
            assertThat(d7.tagsVersion()).isEqualTo(2);
            assertThat(d7.twin().reportedVersion()).isEqualTo(1);
            assertThat(d7.version()).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void anImportStoppedHalfway_resumesAfterARestart_withoutLosingOrRepeatingLines(TestDatabases.Kind kind) throws Exception {
        int n = 3000;
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append("{\"deviceId\":\"r").append(i).append("\",\"importMode\":\"create\",\"tags\":{\"i\":").append(i).append("}}\n");
            if (i % 500 == 0) b.append("\n"); // blank lines count as lines, and are skipped
        }
        int lines = n + n / 500;
        RegistryFixture first = RegistryFixture.open(kind, dir, 1);
        RegistryJob job;
        try {
            job = first.registry.jobs().importUpload(new ByteArrayInputStream(b.toString().getBytes(StandardCharsets.UTF_8)), 1 << 20, ACTOR);
            while (first.registry.jobs().get(job.id()).position() < 100) Thread.sleep(5);
            first.registry.close(); // stops after the batch in progress, like a server shutting down
            RegistryJob stopped = first.registry.jobs().get(job.id());
            assertThat(stopped.status()).isEqualTo(RegistryJob.Status.RUNNING);
            assertThat(stopped.position()).isBetween(100L, lines - 1L);
            assertThat(first.rows("device")).isLessThan(n);
        } finally {
            first.close();
        }
        try (RegistryFixture second = first.reopen(50)) {
            RegistryJob stopped = second.registry.jobs().get(job.id());
            RegistryJob done = second.await(stopped);
            assertThat(done.status()).isEqualTo(RegistryJob.Status.COMPLETED);
            assertThat(done.position()).isEqualTo(lines);
            assertThat(done.succeeded()).isEqualTo(n);
            assertThat(done.failed()).as("importMode create would refuse a line applied twice").isZero();
            assertThat(done.counts().created()).isEqualTo(n);
            assertThat(second.rows("device")).isEqualTo(n);
            // The upload is deleted by the worker right after the completion commits, which await() may see first.
            java.nio.file.Path jobs = second.registry.jobs().importDirectory().resolveSibling("jobs");
            for (int i = 0; i < 100 && !Files.list(jobs).toList().isEmpty(); i++) Thread.sleep(50);
            assertThat(Files.list(jobs).toList()).as("upload removed when done").isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void badLines_areRefusedWithTheirNumberAndReason_theOthersApply(TestDatabases.Kind kind) throws Exception {
        try (RegistryFixture f = RegistryFixture.open(kind, dir, 3)) {
            String text = String.join("\n",
                    "{\"deviceId\":\"ok-1\"}",
                    "{\"deviceId\":\"bad id\"}",
                    "not json at all",
                    "{\"deviceId\":\"ok-2\",\"colour\":\"blue\"}",
                    "{\"deviceId\":\"orphan\",\"parentId\":\"missing-gw\"}",
                    "{\"deviceId\":\"big\",\"tags\":{\"x\":\"" + "y".repeat(9000) + "\"}}",
                    "{\"deviceId\":\"ok-3\",\"lifecycle\":\"active\"}",
                    "{\"deviceId\":\"ok-3\",\"lifecycle\":\"registered\"}",
                    "[1,2,3]",
                    "{\"deviceId\":\"ok-1\",\"importMode\":\"create\"}",
                    "{\"deviceId\":\"ok-4\",\"status\":\"enabled\"}") + "\n";
            RegistryJob job = f.await(f.registry.jobs().importUpload(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), 1 << 20, ACTOR));
            assertThat(job.status()).isEqualTo(RegistryJob.Status.COMPLETED);
            assertThat(job.succeeded()).isEqualTo(3);
            assertThat(job.failed()).isEqualTo(8);
            assertThat(job.errors()).extracting(RegistryJob.LineError::line).containsExactly(2L, 3L, 4L, 5L, 6L, 8L, 9L, 10L);
            assertThat(job.errors().get(0).message()).startsWith("deviceId: 'bad id' has ' '");
            assertThat(job.errors().get(1).message()).startsWith("not valid JSON");
            assertThat(job.errors().get(2).message()).contains("colour: unknown member");
            assertThat(job.errors().get(3).message()).contains("'missing-gw' does not exist");
            assertThat(job.errors().get(4).message()).contains("tags: 9008 bytes exceeds the limit of 8192 bytes");
            assertThat(job.errors().get(5).message()).contains("lifecycle cannot go from active to registered");
            assertThat(job.errors().get(7).message()).contains("already exists");
            assertThat(f.rows("device")).isEqualTo(3);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void deleteLines_removeDevices(TestDatabases.Kind kind) throws Exception {
        try (RegistryFixture f = RegistryFixture.open(kind, dir)) {
            seed(f);
            String text = "{\"deviceId\":\"m-001\",\"importMode\":\"delete\"}\n{\"deviceId\":\"never\",\"importMode\":\"delete\"}\n"
                    + "{\"deviceId\":\"zz-gateway\",\"importMode\":\"delete\"}\n";
            RegistryJob job = f.await(f.registry.jobs().importUpload(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), 1 << 20, ACTOR));
            assertThat(job.counts().deleted()).isEqualTo(1);
            assertThat(job.counts().unchanged()).isEqualTo(1);
            assertThat(job.errors()).singleElement().satisfies(e -> assertThat(e.message()).contains("parent of other devices"));
            assertThat(f.devices().find(id("m-001"))).isEmpty();
            assertThat(f.activities()).contains("device.deleted");
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void serverSidePaths_outsideTheImportDirectory_andOversizedUploads_areRefused(TestDatabases.Kind kind) throws Exception {
        try (RegistryFixture f = RegistryFixture.open(kind, dir)) {
            Path outside = Files.writeString(dir.resolve("secret.jsonl"), "{\"deviceId\":\"x\"}\n");
            for (Path p : List.of(outside, Path.of("../secret.jsonl"), Path.of("/etc/passwd"), Path.of("."))) {
                assertThatThrownBy(() -> f.registry.jobs().importFile(p, ACTOR)).isInstanceOfSatisfying(RegistryRefusedException.class,
                        e -> assertThat(e.refusal().code()).isEqualTo("import-path-outside"));
            }
            Files.createSymbolicLink(f.registry.jobs().importDirectory().resolve("link.jsonl"), outside);
            assertThatThrownBy(() -> f.registry.jobs().importFile(Path.of("link.jsonl"), ACTOR)).isInstanceOfSatisfying(RegistryRefusedException.class,
                    e -> assertThat(e.refusal().code()).isEqualTo("import-path-outside"));
            assertThatThrownBy(() -> f.registry.jobs().importFile(Path.of("nope.jsonl"), ACTOR)).isInstanceOfSatisfying(RegistryRefusedException.class,
                    e -> assertThat(e.refusal()).isInstanceOf(RegistryRefusal.NotFound.class));
            assertThatThrownBy(() -> f.registry.jobs().importUpload(new ByteArrayInputStream(new byte[2000]), 1000, ACTOR))
                    .isInstanceOfSatisfying(RegistryRefusedException.class, e -> assertThat(e.refusal()).isInstanceOf(RegistryRefusal.TooLarge.class));
            assertThat(f.registry.jobs().list(10)).isEmpty();
            assertThat(f.rows("device")).isZero();
        }
    }
}
