package dev.holdfast.sensor.dissect;

/**
 * Every value a dissector reports, with its protocol. {@link #secret} values (passwords, SNMP
 * communities) are reported to the sink so detection can see them, but never stored or printed.
 */
public enum Field {
    MODBUS_UNIT_ID(AppProtocol.MODBUS), MODBUS_FUNCTION(AppProtocol.MODBUS), MODBUS_EXCEPTION(AppProtocol.MODBUS),
    DNP3_SOURCE(AppProtocol.DNP3), DNP3_DESTINATION(AppProtocol.DNP3), DNP3_FUNCTION(AppProtocol.DNP3),
    DNP3_OBJECT_GROUP(AppProtocol.DNP3),
    S7_ROSCTR(AppProtocol.S7COMM), S7_FUNCTION(AppProtocol.S7COMM),
    ENIP_COMMAND(AppProtocol.ENIP), CIP_SERVICE(AppProtocol.ENIP), ENIP_PRODUCT_NAME(AppProtocol.ENIP),
    BACNET_CONFIRMED_SERVICE(AppProtocol.BACNET), BACNET_UNCONFIRMED_SERVICE(AppProtocol.BACNET),
    BACNET_DEVICE_INSTANCE(AppProtocol.BACNET),
    DHCP_MESSAGE_TYPE(AppProtocol.DHCP), DHCP_HOSTNAME(AppProtocol.DHCP), DHCP_VENDOR_CLASS(AppProtocol.DHCP),
    /** Raw option 55 bytes; the report renders them as a comma-separated fingerprint. */
    DHCP_PARAMETER_LIST(AppProtocol.DHCP), DHCP_CLIENT_MAC(AppProtocol.DHCP), DHCP_REQUESTED_IP(AppProtocol.DHCP),
    DNS_QUERY_NAME(AppProtocol.DNS), DNS_ANSWER_NAME(AppProtocol.DNS), NBNS_NAME(AppProtocol.NBNS),
    SSDP_SERVER(AppProtocol.SSDP),
    LLDP_CHASSIS_ID(AppProtocol.LLDP), LLDP_PORT_ID(AppProtocol.LLDP), LLDP_SYSTEM_NAME(AppProtocol.LLDP),
    LLDP_SYSTEM_DESCRIPTION(AppProtocol.LLDP),
    CDP_DEVICE_ID(AppProtocol.CDP), CDP_SOFTWARE(AppProtocol.CDP), CDP_PLATFORM(AppProtocol.CDP), CDP_PORT_ID(AppProtocol.CDP),
    /** The legacy_version of a ClientHello or ServerHello, as tshark's tls.handshake.version. */
    TLS_HANDSHAKE_VERSION(AppProtocol.TLS), TLS_CLIENT_MAX_VERSION(AppProtocol.TLS), TLS_NEGOTIATED_VERSION(AppProtocol.TLS),
    TLS_CIPHER(AppProtocol.TLS), TLS_SNI(AppProtocol.TLS), TLS_JA3(AppProtocol.TLS), TLS_JA4(AppProtocol.TLS),
    HTTP_USER_AGENT(AppProtocol.HTTP), HTTP_SERVER(AppProtocol.HTTP), HTTP_HOST(AppProtocol.HTTP),
    HTTP_BASIC_USER(AppProtocol.HTTP), HTTP_BASIC_PASSWORD(AppProtocol.HTTP, true),
    MQTT_CLIENT_ID(AppProtocol.MQTT), MQTT_USERNAME(AppProtocol.MQTT), MQTT_PASSWORD(AppProtocol.MQTT, true),
    MQTT_TOPIC(AppProtocol.MQTT), MQTT_PACKET_TYPE(AppProtocol.MQTT),
    SSH_BANNER(AppProtocol.SSH), FTP_USER(AppProtocol.FTP), FTP_PASSWORD(AppProtocol.FTP, true),
    TELNET_DATA(AppProtocol.TELNET),
    SNMP_COMMUNITY(AppProtocol.SNMP, true), SNMP_VERSION(AppProtocol.SNMP),
    COAP_CODE(AppProtocol.COAP), COAP_URI_PATH(AppProtocol.COAP);

    public final AppProtocol protocol;
    public final boolean secret;

    Field(AppProtocol protocol) {
        this(protocol, false);
    }

    Field(AppProtocol protocol, boolean secret) {
        this.protocol = protocol;
        this.secret = secret;
    }
}
