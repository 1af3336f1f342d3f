package dev.holdfast.provisioning;

import dev.holdfast.pki.Profile;
import dev.holdfast.registry.JsonDocument;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What an enrollment gives the devices it admits.
 *
 * @param enabled      a disabled enrollment refuses registrations at once
 * @param initialTwin  desired properties a new device starts with (and a reset returns to)
 * @param initialTags  tags a new device starts with (and a reset returns to)
 * @param model        the registry device model id, if any
 * @param gateway      whether devices get the gateway capability (and the gateway profile)
 * @param allocation   how the hub is picked
 * @param linkedHubs   names of the hubs this enrollment may use; empty means every linked hub
 * @param reprovision  what a registration of an already provisioned device does
 * @param profile      the issuance profile of operational certificates (device or gateway)
 * @param validity     requested validity of operational certificates; empty: the profile's maximum
 */
public record EnrollmentSettings(boolean enabled, JsonDocument initialTwin, JsonDocument initialTags, Optional<String> model,
                                 boolean gateway, AllocationPolicy allocation, List<String> linkedHubs,
                                 ReprovisionPolicy reprovision, Profile profile, Optional<Duration> validity) {
    public EnrollmentSettings {
        initialTwin = initialTwin == null ? JsonDocument.empty() : initialTwin;
        initialTags = initialTags == null ? JsonDocument.empty() : initialTags;
        model = model == null ? Optional.empty() : model;
        allocation = allocation == null ? new AllocationPolicy.Hashed() : allocation;
        linkedHubs = List.copyOf(linkedHubs == null ? List.of() : linkedHubs);
        reprovision = reprovision == null ? ReprovisionPolicy.MIGRATE : reprovision;
        profile = profile == null ? (gateway ? Profile.GATEWAY : Profile.DEVICE) : profile;
        if (profile != Profile.DEVICE && profile != Profile.GATEWAY) {
            throw ProvisioningRefusal.invalidRequest("profile: '" + profile.id() + "' (expected: device or gateway)").exception();
        }
        validity = validity == null ? Optional.empty() : validity;
        validity.ifPresent(v -> {
            if (v.isNegative() || v.isZero()) throw ProvisioningRefusal.invalidRequest("validity: " + v + " (expected: > 0)").exception();
        });
    }

    /** Enabled, hashed over every hub, migrate on re-provisioning, device profile, nothing else. */
    public static EnrollmentSettings defaults() {
        return new EnrollmentSettings(true, null, null, null, false, null, null, null, null, null);
    }

    public EnrollmentSettings withEnabled(boolean on) {
        return new EnrollmentSettings(on, initialTwin, initialTags, model, gateway, allocation, linkedHubs, reprovision, profile, validity);
    }
}
