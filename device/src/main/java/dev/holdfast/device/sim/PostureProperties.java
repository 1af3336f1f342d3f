package dev.holdfast.device.sim;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * The reported properties a device publishes about itself for posture evaluation. The schema
 * (documented in docs/device-sdk.md, "Reported properties for posture") is:
 * <pre>
 * device.profile, device.manufacturer, device.model
 * firmware.version, firmware.latest (the newest release the device knows of)
 * security.sshPasswordLogin (bool), security.secureBoot (bool),
 * security.debugPorts ([string]: "uart", "jtag"), security.openServices ([{name, port}])
 * certificate.notBefore, certificate.notAfter, certificate.ageDays (operational certificate),
 * certificate.idevidNotBefore, certificate.idevidAgeDays (factory certificate)
 * </pre>
 */
public final class PostureProperties {
    private PostureProperties() {
    }

    public static ObjectNode of(DeviceProfile profile, Set<Misconfiguration> issues, X509Certificate operational, X509Certificate idevid, Instant now) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ObjectNode device = root.putObject("device");
        device.put("profile", profile.id()).put("manufacturer", profile.manufacturer()).put("model", profile.model());

        ObjectNode firmware = root.putObject("firmware");
        var versions = profile.firmwareVersions();
        firmware.put("version", issues.contains(Misconfiguration.OUTDATED_FIRMWARE) ? versions.getLast() : versions.getFirst());
        firmware.put("latest", versions.getFirst());

        ObjectNode security = root.putObject("security");
        security.put("sshPasswordLogin", issues.contains(Misconfiguration.SSH_PASSWORD_LOGIN));
        security.put("secureBoot", !issues.contains(Misconfiguration.SECURE_BOOT_OFF));
        ArrayNode debug = security.putArray("debugPorts");
        if (issues.contains(Misconfiguration.DEBUG_PORTS_OPEN)) debug.add("uart").add("jtag");
        ArrayNode services = security.putArray("openServices");
        boolean ssh = false;
        for (DeviceProfile.Service s : profile.services()) {
            services.addObject().put("name", s.name()).put("port", s.port());
            ssh |= s.port() == 22;
        }
        if (issues.contains(Misconfiguration.SSH_PASSWORD_LOGIN) && !ssh) services.addObject().put("name", "ssh").put("port", 22);
        if (issues.contains(Misconfiguration.TELNET_OPEN)) services.addObject().put("name", "telnet").put("port", 23);

        ObjectNode cert = root.putObject("certificate");
        cert.put("notBefore", operational.getNotBefore().toInstant().toString());
        cert.put("notAfter", operational.getNotAfter().toInstant().toString());
        cert.put("ageDays", Duration.between(operational.getNotBefore().toInstant(), now).toDays());
        cert.put("idevidNotBefore", idevid.getNotBefore().toInstant().toString());
        cert.put("idevidAgeDays", Duration.between(idevid.getNotBefore().toInstant(), now).toDays());
        return root;
    }
}
