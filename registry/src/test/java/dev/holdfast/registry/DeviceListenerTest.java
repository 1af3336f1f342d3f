package dev.holdfast.registry;

import dev.holdfast.testing.TestDatabases;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** The hooks the hub relies on: device listeners and the TLS parameters of the last session. */
class DeviceListenerTest {
    @TempDir
    Path dir;

    record Change(Device before, Optional<Device> after) {
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void listeners_areToldOfIdentityAndTwinChangesAndDeletion(TestDatabases.Kind kind) {
        try (RegistryFixture f = RegistryFixture.open(kind, dir)) {
            List<Change> seen = new CopyOnWriteArrayList<>();
            f.devices().addListener((before, after) -> seen.add(new Change(before, after)));
            f.devices().addListener((before, after) -> {
                throw new IllegalStateException("a broken listener must not stop the others or the write");
            });
            DeviceId id = new DeviceId("listened-1");
            f.devices().create(NewDevice.builder(id).build(), "test");
            f.devices().setStatus(id, DeviceStatus.DISABLED, Optional.of("stolen"), "test");
            f.devices().patchDesired(id, JsonDocument.parse("{\"a\":1}"), Precondition.none(), "test");
            f.devices().recordConnection(id, ConnectionState.CONNECTED, Instant.parse("2026-11-30T10:00:00Z"));
            f.devices().delete(id, Precondition.none(), "test");
            assertThat(seen).hasSize(3);
            assertThat(seen.get(0).after()).hasValueSatisfying(d -> assertThat(d.status()).isEqualTo(DeviceStatus.DISABLED));
            assertThat(seen.get(1).after()).hasValueSatisfying(d -> assertThat(d.twin().desiredVersion()).isEqualTo(2));
            assertThat(seen.get(2).after()).isEmpty();
            assertThat(f.devices().find(id)).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void recordTls_keepsTheLatestWithoutChangingTheDeviceAndGoesWithIt(TestDatabases.Kind kind) {
        try (RegistryFixture f = RegistryFixture.open(kind, dir)) {
            DeviceId id = new DeviceId("tls-1");
            Device d = f.devices().create(NewDevice.builder(id).build(), "test");
            assertThat(f.devices().lastTls(id)).isEmpty();
            f.devices().recordTls(id, new TlsParameters("TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", Instant.parse("2026-11-30T10:00:00Z")));
            f.devices().recordTls(id, new TlsParameters("TLSv1.3", "TLS_AES_128_GCM_SHA256", Instant.parse("2026-11-30T11:00:00Z")));
            assertThat(f.devices().lastTls(id)).contains(new TlsParameters("TLSv1.3", "TLS_AES_128_GCM_SHA256", Instant.parse("2026-11-30T11:00:00Z")));
            assertThat(f.devices().get(id).version()).isEqualTo(d.version());
            f.devices().delete(id, Precondition.none(), "test");
            f.devices().create(NewDevice.builder(id).build(), "test");
            assertThat(f.devices().lastTls(id)).isEmpty();
        }
    }
}
