package dev.holdfast.registry;

import dev.holdfast.events.EventClass;
import dev.holdfast.events.SecurityEvent;
import dev.holdfast.testing.TestDatabases;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The registry's contract on SQLite and PostgreSQL alike. */
class JdbcDeviceRegistryTest {
    static final String ACTOR = "token:test";
    static final String THUMB = "AB:".repeat(31) + "AB";

    @TempDir
    Path dir;

    static DeviceId id(String s) {
        return new DeviceId(s);
    }

    static JsonDocument doc(String json) {
        return JsonDocument.parse(json);
    }

    static RegistryRefusal refusal(Runnable r) {
        try {
            r.run();
        } catch (RegistryRefusedException e) {
            return e.refusal();
        }
        throw new AssertionError("expected a refusal");
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void create_thenGet_returnsEveryFieldAsStored(TestDatabases.Kind kind) {
        try (RegistryFixture f = RegistryFixture.open(kind, dir)) {
            f.registry.models().create(new DeviceModel.Definition("acme-x200", "Acme", "X200", Optional.of("B"),
                    Optional.of(LocalDate.of(2031, 12, 31)), Optional.of(LocalDate.of(2030, 6, 30))), ACTOR);
            Device gw = f.devices().create(NewDevice.builder(id("gw-1")).capabilities(Capabilities.GATEWAY).build(), ACTOR);
            Device d = f.devices().create(NewDevice.builder(id("meter-1")).hub("hub-1.plant3.example").lifecycle(LifecycleState.PROVISIONED)
                    .authentication(Authentication.certificate(THUMB)).parent(gw.id()).model("acme-x200")
                    .tags(doc("{\"site\":\"plant-3\",\"line\":{\"id\":4}}")).desired(doc("{\"interval\":60}")).build(), ACTOR);
            Device back = f.devices().get(d.id());
            assertThat(back).isEqualTo(d);
            assertThat(back.hub()).contains("hub-1.plant3.example");
            assertThat(back.status()).isEqualTo(DeviceStatus.ENABLED);
            assertThat(back.lifecycle()).isEqualTo(LifecycleState.PROVISIONED);
            assertThat(back.authentication()).isEqualTo(new Authentication.Certificate(List.of("ab".repeat(32))));
            assertThat(back.parent()).contains(gw.id());
            assertThat(back.model()).contains("acme-x200");
            assertThat(back.tags()).isEqualTo(doc("{\"line\":{\"id\":4},\"site\":\"plant-3\"}"));
            assertThat(back.twin().desired()).isEqualTo(doc("{\"interval\":60}"));
            assertThat(back.twin().desiredVersion()).isEqualTo(1);
            assertThat(back.connectionState()).isEqualTo(ConnectionState.DISCONNECTED);
            assertThat(back.health()).isEqualTo(HealthSummary.UNKNOWN);
            assertThat(back.version()).isEqualTo(1);
            assertThat(back.etag()).isEqualTo(Etag.device(1));
            assertThat(f.events).filteredOn(e -> e.activity().equals("device.created")).hasSize(2)
                    .allSatisfy(e -> assertThat(e.eventClass()).isEqualTo(EventClass.ENTITY_MANAGEMENT));
            assertThat(f.events.get(1).details()).containsEntry("authentication", "certificate").containsEntry("parent", "gw-1");
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void create_refusesDuplicatesUnknownModelsAndParentsThatAreNotGateways(TestDatabases.Kind kind) {
        try (RegistryFixture f = RegistryFixture.open(kind, dir)) {
            f.devices().create(NewDevice.builder(id("a")).build(), ACTOR);
            assertThat(refusal(() -> f.devices().create(NewDevice.builder(id("a")).build(), ACTOR)))
                    .isEqualTo(new RegistryRefusal.Conflict("device-exists", "device 'a' already exists"));
            assertThat(refusal(() -> f.devices().create(NewDevice.builder(id("b")).model("nope").build(), ACTOR)).code()).isEqualTo("unknown-model");
            assertThat(refusal(() -> f.devices().create(NewDevice.builder(id("b")).parent(id("a")).build(), ACTOR)).code()).isEqualTo("parent-not-gateway");
            assertThat(refusal(() -> f.devices().create(NewDevice.builder(id("b")).parent(id("zz")).build(), ACTOR)).code()).isEqualTo("unknown-parent");
            assertThat(refusal(() -> f.devices().create(NewDevice.builder(id("b")).hub("bad host/x").build(), ACTOR)).code()).isEqualTo("invalid-hub");
            assertThat(refusal(() -> f.devices().create(NewDevice.builder(id("b")).tags(doc("{\"a\":\"" + "x".repeat(9000) + "\"}")).build(), ACTOR))
                    .code()).isEqualTo("tags-too-large");
            assertThat(f.rows("device")).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void list_pagesInIdOrder_withFilters(TestDatabases.Kind kind) {
        try (RegistryFixture f = RegistryFixture.open(kind, dir)) {
            for (int i = 0; i < 25; i++) {
                f.devices().create(NewDevice.builder(id(String.format("dev-%02d", i))).status(i % 5 == 0 ? DeviceStatus.DISABLED : DeviceStatus.ENABLED)
                        .build(), ACTOR);
            }
            List<String> seen = new ArrayList<>();
            Optional<DeviceId> after = Optional.empty();
            int pages = 0;
            do {
                DevicePage p = f.devices().list(DeviceFilter.ALL, after, 10);
                p.items().forEach(d -> seen.add(d.id().value()));
                after = p.next();
                pages++;
            } while (after.isPresent());
            assertThat(pages).isEqualTo(3);
            assertThat(seen).hasSize(25).doesNotHaveDuplicates().isSorted();
            DevicePage disabled = f.devices().list(new DeviceFilter(Optional.of(DeviceStatus.DISABLED), Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty()), Optional.empty(), 100);
            assertThat(disabled.items()).extracting(d -> d.id().value()).containsExactly("dev-00", "dev-05", "dev-10", "dev-15", "dev-20");
            assertThat(refusal(() -> f.devices().list(DeviceFilter.ALL, Optional.empty(), 0)).code()).isEqualTo("invalid-limit");
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void lifecycle_movesOnlyAlongTheMatrix_andEveryMoveIsAnEvent(TestDatabases.Kind kind) {
        try (RegistryFixture f = RegistryFixture.open(kind, dir)) {
            DeviceId d = f.devices().create(NewDevice.builder(id("m")).build(), ACTOR).id();
            RegistryRefusal r = refusal(() -> f.devices().setLifecycle(d, LifecycleState.ACTIVE, Optional.empty(), ACTOR));
            assertThat(r).isInstanceOf(RegistryRefusal.Conflict.class);
            assertThat(r.code()).isEqualTo("invalid-transition");
            assertThat(r.message()).isEqualTo("device 'm': lifecycle cannot go from registered to active (from registered only to provisioned, decommissioned)");
            f.devices().setLifecycle(d, LifecycleState.PROVISIONED, Optional.empty(), ACTOR);
            f.devices().setLifecycle(d, LifecycleState.ACTIVE, Optional.empty(), ACTOR);
            Device q = f.devices().setLifecycle(d, LifecycleState.QUARANTINED, Optional.of("CVE-2026-1234 exploited"), ACTOR);
            assertThat(q.lifecycle()).isEqualTo(LifecycleState.QUARANTINED);
            assertThat(q.version()).isEqualTo(4);
            f.devices().setLifecycle(d, LifecycleState.ACTIVE, Optional.empty(), ACTOR);
            Device gone = f.devices().setLifecycle(d, LifecycleState.DECOMMISSIONED, Optional.of("replaced"), ACTOR);
            assertThat(gone.status()).isEqualTo(DeviceStatus.DISABLED);
            assertThat(gone.statusReason()).contains("replaced");
            assertThat(refusal(() -> f.devices().setStatus(d, DeviceStatus.ENABLED, Optional.empty(), ACTOR)).code()).isEqualTo("decommissioned");
            assertThat(refusal(() -> f.devices().setLifecycle(d, LifecycleState.ACTIVE, Optional.empty(), ACTOR)).message()).contains("decommissioned is terminal");
            // Same state again: nothing written, nothing emitted.
            long before = f.events.size();
            assertThat(f.devices().setLifecycle(d, LifecycleState.DECOMMISSIONED, Optional.empty(), ACTOR).version()).isEqualTo(gone.version());
            assertThat(f.events).hasSize((int) before);
            List<SecurityEvent> moves = f.events.stream().filter(e -> e.activity().equals("device.lifecycle.changed")).toList();
            assertThat(moves).extracting(e -> e.details().get("to")).containsExactly("provisioned", "active", "quarantined", "active", "decommissioned");
            assertThat(moves.get(2).details()).containsEntry("reason", "CVE-2026-1234 exploited");
            assertThat(f.activities()).contains("device.disabled");
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void update_changesStatusAuthParentAndModel_withEventsForWhatMattersToSecurity(TestDatabases.Kind kind) {
        try (RegistryFixture f = RegistryFixture.open(kind, dir)) {
            f.registry.models().create(new DeviceModel.Definition("m1", "Acme", "M1", Optional.empty(), Optional.empty(), Optional.empty()), ACTOR);
            DeviceId gw = f.devices().create(NewDevice.builder(id("gw")).capabilities(Capabilities.GATEWAY).build(), ACTOR).id();
            DeviceId d = f.devices().create(NewDevice.builder(id("d")).build(), ACTOR).id();
            f.events.clear();
            Device disabled = f.devices().setStatus(d, DeviceStatus.DISABLED, Optional.of("stolen"), ACTOR);
            assertThat(disabled.statusReason()).contains("stolen");
            Device changed = f.devices().update(d, DeviceUpdate.builder().authentication(Authentication.caSigned()).parent(gw).model("m1")
                    .hub("hub-2.example:8883").build(), Precondition.ifMatch(disabled.etag()), ACTOR);
            assertThat(changed.parent()).contains(gw);
            assertThat(changed.authentication()).isEqualTo(Authentication.caSigned());
            assertThat(f.activities()).containsExactly("device.disabled", "device.authentication.changed", "device.parent.changed");
            assertThat(f.events.get(0).details()).containsEntry("reason", "stolen");
            // A stale device ETag is refused with the current one.
            RegistryRefusal stale = refusal(() -> f.devices().update(d, DeviceUpdate.builder().hub(null).build(), Precondition.ifMatch(disabled.etag()), ACTOR));
            assertThat(stale).isInstanceOfSatisfying(RegistryRefusal.PreconditionFailed.class, p -> assertThat(p.current()).isEqualTo(changed.etag()));
            // Gateways: no cycles, cannot drop the capability while parenting.
            assertThat(refusal(() -> f.devices().update(gw, DeviceUpdate.builder().parent(gw).build(), Precondition.none(), ACTOR)).code())
                    .isEqualTo("invalid-parent");
            assertThat(refusal(() -> f.devices().update(gw, DeviceUpdate.builder().capabilities(Capabilities.NONE).build(), Precondition.none(), ACTOR))
                    .code()).isEqualTo("gateway-has-children");
            DeviceId gw2 = f.devices().create(NewDevice.builder(id("gw2")).capabilities(Capabilities.GATEWAY).parent(gw).build(), ACTOR).id();
            assertThat(refusal(() -> f.devices().update(gw, DeviceUpdate.builder().parent(gw2).build(), Precondition.none(), ACTOR)).code())
                    .isEqualTo("parent-cycle");
            assertThat(refusal(() -> f.devices().update(d, DeviceUpdate.builder().model("nope").build(), Precondition.none(), ACTOR)).code())
                    .isEqualTo("unknown-model");
            assertThat(refusal(() -> f.registry.models().delete("m1", ACTOR)).code()).isEqualTo("model-in-use");
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void gatewayChains_areLimitedToFiveAncestors_alsoWhenASubtreeMoves(TestDatabases.Kind kind) {
        try (RegistryFixture f = RegistryFixture.open(kind, dir)) {
            DeviceId parent = null;
            for (int i = 0; i < 5; i++) { // g0 .. g4: g4 has four ancestors
                parent = f.devices().create(NewDevice.builder(id("g" + i)).capabilities(Capabilities.GATEWAY).parent(parent).build(), ACTOR).id();
            }
            DeviceId g5 = f.devices().create(NewDevice.builder(id("g5")).capabilities(Capabilities.GATEWAY).parent(parent).build(), ACTOR).id();
            assertThat(refusal(() -> f.devices().create(NewDevice.builder(id("too-deep")).parent(g5).build(), ACTOR)).code()).isEqualTo("gateway-depth");

            DeviceId h0 = f.devices().create(NewDevice.builder(id("h0")).capabilities(Capabilities.GATEWAY).build(), ACTOR).id();
            DeviceId h1 = f.devices().create(NewDevice.builder(id("h1")).capabilities(Capabilities.GATEWAY).parent(h0).build(), ACTOR).id();
            f.devices().create(NewDevice.builder(id("h2")).parent(h1).build(), ACTOR);
            assertThat(refusal(() -> f.devices().update(h0, DeviceUpdate.builder().parent(id("g3")).build(), Precondition.none(), ACTOR)).message())
                    .contains("would nest 6 gateways deep");
            assertThat(f.devices().update(h0, DeviceUpdate.builder().parent(id("g1")).build(), Precondition.none(), ACTOR).parent()).contains(id("g1"));
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void delete_removesTheDevice_butNotAGatewayWithChildren(TestDatabases.Kind kind) {
        try (RegistryFixture f = RegistryFixture.open(kind, dir)) {
            DeviceId gw = f.devices().create(NewDevice.builder(id("gw")).capabilities(Capabilities.GATEWAY).build(), ACTOR).id();
            DeviceId child = f.devices().create(NewDevice.builder(id("c")).parent(gw).build(), ACTOR).id();
            assertThat(refusal(() -> f.devices().delete(gw, Precondition.none(), ACTOR)).code()).isEqualTo("gateway-has-children");
            assertThat(refusal(() -> f.devices().delete(child, Precondition.ifMatch(Etag.device(7)), ACTOR))).isInstanceOf(RegistryRefusal.PreconditionFailed.class);
            f.devices().delete(child, Precondition.ifMatch(Etag.device(1)), ACTOR);
            f.devices().delete(gw, Precondition.none(), ACTOR);
            assertThat(f.devices().find(gw)).isEmpty();
            assertThat(refusal(() -> f.devices().delete(gw, Precondition.none(), ACTOR))).isInstanceOf(RegistryRefusal.NotFound.class);
            assertThat(f.activities()).containsSubsequence("device.deleted", "device.deleted");
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void tags_replaceAndMerge_withTheirOwnEtag(TestDatabases.Kind kind) {
        try (RegistryFixture f = RegistryFixture.open(kind, dir)) {
            DeviceId d = f.devices().create(NewDevice.builder(id("d")).tags(doc("{\"site\":\"plant-1\",\"zone\":\"a\"}")).build(), ACTOR).id();
            DeviceTags t1 = f.devices().tags(d);
            assertThat(t1.etag()).isEqualTo(Etag.tags(1));
            DeviceTags t2 = f.devices().mergeTags(d, doc("{\"zone\":null,\"line\":{\"id\":4}}"), Precondition.ifMatch(t1.etag()), ACTOR);
            assertThat(t2.tags()).isEqualTo(doc("{\"site\":\"plant-1\",\"line\":{\"id\":4}}"));
            assertThat(t2.version()).isEqualTo(2);
            RegistryRefusal stale = refusal(() -> f.devices().replaceTags(d, doc("{}"), Precondition.ifMatch(t1.etag()), ACTOR));
            assertThat(stale).isInstanceOfSatisfying(RegistryRefusal.PreconditionFailed.class, p -> {
                assertThat(p.current()).isEqualTo(Etag.tags(2));
                assertThat(p.message()).contains("\"tags-2\"");
            });
            // A change to the twin does not make the tags' ETag stale.
            f.devices().patchReported(d, doc("{\"battery\":80}"));
            DeviceTags t3 = f.devices().replaceTags(d, doc("{\"site\":\"plant-2\"}"), Precondition.ifMatch(t2.etag()), ACTOR);
            assertThat(t3.version()).isEqualTo(3);
            // The same tags again: no change, no new version.
            assertThat(f.devices().replaceTags(d, doc("{\"site\":\"plant-2\"}"), Precondition.none(), ACTOR).version()).isEqualTo(3);
            assertThat(refusal(() -> f.devices().mergeTags(d, doc("{\"big\":\"" + "x".repeat(8200) + "\"}"), Precondition.none(), ACTOR)).code())
                    .isEqualTo("tags-too-large");
            assertThat(f.devices().tags(d).tags()).isEqualTo(doc("{\"site\":\"plant-2\"}"));
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void twin_desiredPatchesMergeAndVersion_reportedIsSeparate(TestDatabases.Kind kind) {
        try (RegistryFixture f = RegistryFixture.open(kind, dir)) {
            DeviceId d = f.devices().create(NewDevice.builder(id("d")).desired(doc("{\"fw\":{\"version\":\"2.0\",\"channel\":\"stable\"}}")).build(), ACTOR).id();
            Twin t1 = f.devices().twin(d);
            f.clock.advance(Duration.ofMinutes(5));
            Twin t2 = f.devices().patchDesired(d, doc("{\"fw\":{\"version\":\"2.1\"},\"interval\":30}"), Precondition.ifMatch(t1.etag()), ACTOR);
            assertThat(t2.desired()).isEqualTo(doc("{\"fw\":{\"version\":\"2.1\",\"channel\":\"stable\"},\"interval\":30}"));
            assertThat(t2.desiredVersion()).isEqualTo(2);
            assertThat(t2.etag()).isEqualTo(Etag.desired(2));
            var meta = TwinMetadata.expand(t2.metadata(), t2.desired(), t2.reported());
            assertThat(meta.at("/desired/fw/version/$lastUpdated").asText()).isEqualTo("2026-11-30T10:05:00Z");
            assertThat(meta.at("/desired/fw/channel/$lastUpdated").asText()).isEqualTo("2026-11-30T10:00:00Z");
            assertThat(meta.at("/desired/fw/version/$lastUpdatedVersion").asLong()).isEqualTo(2);

            Twin r = f.devices().patchReported(d, doc("{\"fw\":{\"version\":\"2.0\"}}"));
            assertThat(r.reportedVersion()).isEqualTo(2);
            assertThat(r.etag()).isEqualTo(t2.etag()); // reports do not move the twin's ETag
            assertThat(refusal(() -> f.devices().patchDesired(d, doc("{\"x\":1}"), Precondition.ifMatch(t1.etag()), ACTOR)))
                    .isInstanceOfSatisfying(RegistryRefusal.PreconditionFailed.class, p -> assertThat(p.current()).isEqualTo(Etag.desired(2)));
            assertThat(refusal(() -> f.devices().patchDesired(d, doc("{\"$version\":1}"), Precondition.none(), ACTOR)).code())
                    .isEqualTo("invalid-property-name");
            assertThat(refusal(() -> f.devices().patchDesired(d, doc("{\"big\":\"" + "x".repeat(33_000) + "\"}"), Precondition.none(), ACTOR)).code())
                    .isEqualTo("desired-too-large");
            assertThat(f.devices().twin(d).desiredVersion()).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void connection_andActivity_areRecordedWithoutMovingTheVersion(TestDatabases.Kind kind) {
        try (RegistryFixture f = RegistryFixture.open(kind, dir)) {
            DeviceId d = f.devices().create(NewDevice.builder(id("d")).build(), ACTOR).id();
            Instant t = Instant.parse("2026-11-30T12:00:00Z");
            f.devices().recordConnection(d, ConnectionState.CONNECTED, t);
            f.devices().recordActivity(d, t.plusSeconds(30));
            f.devices().recordActivity(d, t.plusSeconds(10)); // older: ignored
            Device back = f.devices().get(d);
            assertThat(back.connectionState()).isEqualTo(ConnectionState.CONNECTED);
            assertThat(back.lastActivity()).contains(t.plusSeconds(30));
            assertThat(back.version()).isEqualTo(1);
            // A full update afterwards keeps what the hub recorded.
            f.devices().setStatus(d, DeviceStatus.DISABLED, Optional.empty(), ACTOR);
            assertThat(f.devices().get(d).connectionState()).isEqualTo(ConnectionState.CONNECTED);
            HealthSummary h = new HealthSummary(HealthSummary.Compliance.NON_COMPLIANT, Optional.of(72.5), List.of("telnet open"));
            assertThat(f.devices().updateHealth(d, h).health()).isEqualTo(h);
            assertThat(refusal(() -> f.devices().recordActivity(id("nope"), t))).isInstanceOf(RegistryRefusal.NotFound.class);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void injectionAttempts_throughIdsAndJson_areStoredAsDataAndChangeNothingElse(TestDatabases.Kind kind) {
        try (RegistryFixture f = RegistryFixture.open(kind, dir)) {
            f.devices().create(NewDevice.builder(id("victim")).build(), ACTOR);
            String[] ids = {"x'--", "a'OR'1'='1", "')OR('1'='1", "$(id)", "%'", "a*?"};
            for (String s : ids) {
                Device d = f.devices().create(NewDevice.builder(id(s)).tags(doc("{\"site\":\"'; DROP TABLE device; --\",\"q\":\"\\\" OR 1=1\"}"))
                        .desired(doc("{\"x\":\"') ; UPDATE device SET status = 'disabled' --\"}")).build(), ACTOR);
                assertThat(f.devices().get(d.id()).tags().get("site").asText()).isEqualTo("'; DROP TABLE device; --");
            }
            assertThat(f.rows("device")).isEqualTo(1 + ids.length);
            assertThat(f.devices().get(id("victim")).status()).isEqualTo(DeviceStatus.ENABLED);
            assertThat(f.devices().find(id("a'OR'1'='1"))).isPresent();
            assertThat(f.devices().find(id("a'OR'1'='2"))).isEmpty();
            f.devices().delete(id("a'OR'1'='1"), Precondition.none(), ACTOR);
            assertThat(f.rows("device")).isEqualTo(ids.length);
            assertThat(f.devices().list(new DeviceFilter(Optional.empty(), Optional.empty(), Optional.of("' OR '1'='1"), Optional.empty(), Optional.empty()),
                    Optional.empty(), 100).items()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void models_crud(TestDatabases.Kind kind) {
        try (RegistryFixture f = RegistryFixture.open(kind, dir)) {
            var def = new DeviceModel.Definition("acme-x200", "Acme", "X200", Optional.of("B"), Optional.of(LocalDate.of(2031, 12, 31)), Optional.empty());
            DeviceModel m = f.registry.models().create(def, ACTOR);
            assertThat(f.registry.models().get("acme-x200")).isEqualTo(m);
            assertThat(refusal(() -> f.registry.models().create(def, ACTOR)).code()).isEqualTo("model-exists");
            f.clock.advance(Duration.ofDays(1));
            var changed = new DeviceModel.Definition("acme-x200", "Acme Corp", "X200", Optional.empty(), Optional.empty(), Optional.of(LocalDate.of(2030, 1, 1)));
            DeviceModel r = f.registry.models().replace(changed, ACTOR);
            assertThat(r.definition()).isEqualTo(changed);
            assertThat(r.updatedAt()).isAfter(r.createdAt());
            assertThat(f.registry.models().list(Optional.empty(), 10)).hasSize(1);
            f.registry.models().delete("acme-x200", ACTOR);
            assertThat(refusal(() -> f.registry.models().delete("acme-x200", ACTOR)).code()).isEqualTo("model-not-found");
            assertThat(refusal(() -> f.registry.models().replace(changed, ACTOR)).code()).isEqualTo("model-not-found");
        }
    }
}
