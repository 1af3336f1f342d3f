package dev.holdfast.sensor.dissect;

/** Application protocols the sensor recognises; {@link #industrial} marks OT protocols for role heuristics. */
public enum AppProtocol {
    UNKNOWN(false), MODBUS(true), DNP3(true), S7COMM(true), ENIP(true), BACNET(true), MQTT(false), COAP(false),
    TLS(false), HTTP(false), SSH(false), FTP(false), TELNET(false), DNS(false), MDNS(false), LLMNR(false),
    NBNS(false), DHCP(false), SSDP(false), SNMP(false), LLDP(false), CDP(false), ARP(false), ICMP(false);

    public final boolean industrial;

    AppProtocol(boolean industrial) {
        this.industrial = industrial;
    }

    private static final AppProtocol[] VALUES = values();

    public static AppProtocol of(int ordinal) {
        return VALUES[ordinal];
    }
}
