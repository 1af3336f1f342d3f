package dev.holdfast.provisioning;

import java.util.Locale;

/**
 * What happens when a device that is already provisioned registers again (Azure DPS's
 * {@code reprovisionPolicy}).
 * <ul>
 *   <li>{@link #MIGRATE}: the device is (re)assigned by the allocation policy and keeps its twin and tags
 *       (substatus {@code deviceDataMigrated}).</li>
 *   <li>{@link #RESET}: the device is (re)assigned and its desired properties and tags go back to the
 *       enrollment's initial state (substatus {@code deviceDataReset}).</li>
 *   <li>{@link #NEVER}: the device stays on the hub it has, with its data (substatus
 *       {@code initialAssignment}, as it was first assigned).</li>
 * </ul>
 */
public enum ReprovisionPolicy {
    MIGRATE, RESET, NEVER;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ReprovisionPolicy parse(String text) {
        for (ReprovisionPolicy p : values()) if (p.wireName().equals(text)) return p;
        throw ProvisioningRefusal.invalidRequest("reprovisionPolicy: '" + text + "' (expected: migrate, reset or never)").exception();
    }
}
