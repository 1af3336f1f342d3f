package dev.holdfast.device.sim;

/**
 * What can be wrong with a simulated device, as it shows in its reported properties (see the schema
 * in docs/device-sdk.md). The posture module judges these; the simulator only reports them.
 */
public enum Misconfiguration {
    /** {@code firmware.version} is the profile's oldest, out-of-support release. */
    OUTDATED_FIRMWARE,
    /** {@code security.sshPasswordLogin} is true and ssh (22) is among {@code security.openServices}. */
    SSH_PASSWORD_LOGIN,
    /** {@code security.secureBoot} is false. */
    SECURE_BOOT_OFF,
    /** {@code security.debugPorts} lists enabled hardware debug interfaces (uart, jtag). */
    DEBUG_PORTS_OPEN,
    /** telnet (23) is among {@code security.openServices}. */
    TELNET_OPEN,
    /** The factory certificate (IDevID) is years old: {@code certificate.idevidAgeDays} is large. */
    OLD_FACTORY_CERTIFICATE
}
