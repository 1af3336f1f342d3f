package dev.holdfast.device.sim;

import dev.holdfast.device.DeviceIdentity;
import dev.holdfast.device.hub.HubClient;

import java.util.Set;

/** One device of the fleet: what it is, what is wrong with it, and (once connected) its client. */
public final class SimulatedDevice {
    final String registrationId;
    final DeviceProfile profile;
    final Set<Misconfiguration> issues;
    volatile DeviceIdentity idevid;
    volatile DeviceIdentity operational;
    volatile String deviceId;
    volatile String hubHost;
    volatile HubClient client;
    volatile long connectNanos = -1;
    volatile String failure;

    SimulatedDevice(String registrationId, DeviceProfile profile, Set<Misconfiguration> issues) {
        this.registrationId = registrationId;
        this.profile = profile;
        this.issues = Set.copyOf(issues);
    }

    public String registrationId() {
        return registrationId;
    }

    public DeviceProfile profile() {
        return profile;
    }

    public Set<Misconfiguration> issues() {
        return issues;
    }

    /** The device id the provisioning service assigned (the registration id when not provisioned). */
    public String deviceId() {
        return deviceId;
    }

    public HubClient client() {
        return client;
    }

    public DeviceIdentity operational() {
        return operational;
    }

    /** Why provisioning or connecting failed, or null. */
    public String failure() {
        return failure;
    }
}
