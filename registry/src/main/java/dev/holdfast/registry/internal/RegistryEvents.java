package dev.holdfast.registry.internal;

import dev.holdfast.events.EventClass;
import dev.holdfast.events.EventSink;
import dev.holdfast.events.SecurityEvent;
import dev.holdfast.events.Severity;
import dev.holdfast.registry.Authentication;
import dev.holdfast.registry.Device;
import dev.holdfast.registry.DeviceId;
import dev.holdfast.registry.DeviceStatus;
import dev.holdfast.registry.LifecycleState;
import dev.holdfast.registry.RegistryJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Optional;

/**
 * The security events of the registry, one activity per kind of change, emitted after the change is
 * stored. An event sink that fails is logged and does not undo the change (it is stored already).
 */
final class RegistryEvents {
    private static final Logger log = LoggerFactory.getLogger(RegistryEvents.class);
    private static final String SOURCE = "registry";

    private final EventSink sink;

    RegistryEvents(EventSink sink) {
        this.sink = sink;
    }

    void created(Device d, String actor, Instant at) {
        emit(SecurityEvent.builder(EventClass.ENTITY_MANAGEMENT, "device.created").device(d.id().value()).actor(actor).source(SOURCE).time(at)
                .message("device '" + d.id().value() + "' registered (" + d.status().wireName() + ", " + d.lifecycle().wireName() + ")")
                .detail("status", d.status().wireName()).detail("lifecycle", d.lifecycle().wireName())
                .detail("authentication", d.authentication().type()).detail("thumbprints", thumbprints(d.authentication()))
                .detail("hub", d.hub().orElse(null)).detail("parent", d.parent().map(DeviceId::value).orElse(null))
                .detail("gateway", d.capabilities().gateway()).build());
    }

    void deleted(Device d, String actor, Instant at) {
        emit(SecurityEvent.builder(EventClass.ENTITY_MANAGEMENT, "device.deleted").severity(Severity.LOW).device(d.id().value()).actor(actor)
                .source(SOURCE).time(at).message("device '" + d.id().value() + "' deleted from the registry")
                .detail("lifecycle", d.lifecycle().wireName()).detail("authentication", d.authentication().type()).build());
    }

    /** One event per security-relevant difference between {@code before} and {@code after}. */
    void changed(Device before, Device after, Optional<String> lifecycleReason, String actor, Instant at) {
        String id = after.id().value();
        if (before.status() != after.status()) {
            boolean enabled = after.status() == DeviceStatus.ENABLED;
            emit(SecurityEvent.builder(EventClass.DEVICE_CONFIG_STATE_CHANGE, enabled ? "device.enabled" : "device.disabled")
                    .severity(enabled ? Severity.INFORMATIONAL : Severity.LOW).device(id).actor(actor).source(SOURCE).time(at)
                    .message("device '" + id + "' " + (enabled ? "enabled" : "disabled") + after.statusReason().map(r -> ": " + r).orElse(""))
                    .detail("reason", after.statusReason().orElse(null)).build());
        }
        if (before.lifecycle() != after.lifecycle()) {
            Severity s = after.lifecycle() == LifecycleState.QUARANTINED ? Severity.MEDIUM : Severity.INFORMATIONAL;
            emit(SecurityEvent.builder(EventClass.DEVICE_CONFIG_STATE_CHANGE, "device.lifecycle.changed").severity(s).device(id).actor(actor)
                    .source(SOURCE).time(at).message("device '" + id + "' lifecycle " + before.lifecycle().wireName() + " -> " + after.lifecycle().wireName()
                            + lifecycleReason.map(r -> ": " + r).orElse(""))
                    .detail("from", before.lifecycle().wireName()).detail("to", after.lifecycle().wireName())
                    .detail("reason", lifecycleReason.orElse(null)).build());
        }
        if (!before.authentication().equals(after.authentication())) {
            emit(SecurityEvent.builder(EventClass.ACCOUNT_CHANGE, "device.authentication.changed").severity(Severity.LOW).device(id).actor(actor)
                    .source(SOURCE).time(at).message("device '" + id + "' authentication " + before.authentication().type() + " -> "
                            + after.authentication().type())
                    .detail("from", before.authentication().type()).detail("to", after.authentication().type())
                    .detail("fromThumbprints", thumbprints(before.authentication())).detail("thumbprints", thumbprints(after.authentication())).build());
        }
        if (!before.parent().equals(after.parent())) {
            emit(SecurityEvent.builder(EventClass.DEVICE_CONFIG_STATE_CHANGE, "device.parent.changed").device(id).actor(actor).source(SOURCE).time(at)
                    .message("device '" + id + "' parent " + before.parent().map(DeviceId::value).orElse("(none)") + " -> "
                            + after.parent().map(DeviceId::value).orElse("(none)"))
                    .detail("from", before.parent().map(DeviceId::value).orElse(null)).detail("to", after.parent().map(DeviceId::value).orElse(null)).build());
        }
        if (before.capabilities().gateway() != after.capabilities().gateway()) {
            emit(SecurityEvent.builder(EventClass.DEVICE_CONFIG_STATE_CHANGE, "device.capabilities.changed").device(id).actor(actor).source(SOURCE)
                    .time(at).message("device '" + id + "' gateway capability " + (after.capabilities().gateway() ? "granted" : "removed"))
                    .detail("gateway", after.capabilities().gateway()).build());
        }
    }

    void jobFinished(RegistryJob job, Instant at) {
        String kind = job.kind().wireName();
        RegistryJob.Counts c = job.counts();
        emit(SecurityEvent.builder(EventClass.API_ACTIVITY, "registry." + kind + "." + job.status().wireName())
                .severity(job.status() == RegistryJob.Status.FAILED ? Severity.LOW : Severity.INFORMATIONAL)
                .outcome(job.status() == RegistryJob.Status.FAILED ? SecurityEvent.Outcome.FAILURE : SecurityEvent.Outcome.SUCCESS)
                .actor(job.createdBy()).source(SOURCE).time(at)
                .message("registry " + kind + " job " + job.id() + " " + job.status().wireName() + ": " + job.succeeded() + " lines applied, "
                        + job.failed() + " refused" + (job.kind() == RegistryJob.Kind.IMPORT
                        ? " (" + c.created() + " created, " + c.updated() + " updated, " + c.unchanged() + " unchanged, " + c.deleted() + " deleted)" : ""))
                .detail("job", job.id()).detail("source", job.source().orElse(null)).detail("succeeded", job.succeeded()).detail("failed", job.failed())
                .detail("created", c.created()).detail("updated", c.updated()).detail("deleted", c.deleted()).build());
    }

    private static String thumbprints(Authentication a) {
        return a instanceof Authentication.Certificate c ? String.join(",", c.thumbprints()) : null;
    }

    private void emit(SecurityEvent e) {
        try {
            sink.emit(e);
        } catch (RuntimeException ex) {
            log.error("security event {} for device {} could not be recorded", e.activity(), e.deviceId().orElse("-"), ex);
        }
    }
}
