package dev.holdfast.events;

/**
 * The OCSF 1.x event classes Holdfast emits, with their class UIDs and category, so exporters can
 * write standard OCSF without a lookup table of their own.
 */
public enum EventClass {
    AUTHENTICATION(3002, 3, "Authentication"),
    AUTHORIZE_SESSION(3003, 3, "Authorize Session"),
    ACCOUNT_CHANGE(3001, 3, "Account Change"),
    API_ACTIVITY(6003, 6, "API Activity"),
    DEVICE_CONFIG_STATE_CHANGE(5019, 5, "Device Config State Change"),
    DEVICE_INVENTORY_INFO(5001, 5, "Device Inventory Info"),
    /** Certificate issuance, renewal, revocation and expiry: OCSF has no PKI class; Entity Management fits. */
    ENTITY_MANAGEMENT(3004, 3, "Entity Management"),
    DETECTION_FINDING(2004, 2, "Detection Finding"),
    VULNERABILITY_FINDING(2002, 2, "Vulnerability Finding"),
    COMPLIANCE_FINDING(2003, 2, "Compliance Finding"),
    NETWORK_ACTIVITY(4001, 4, "Network Activity");

    private final int classUid;
    private final int categoryUid;
    private final String caption;

    EventClass(int classUid, int categoryUid, String caption) {
        this.classUid = classUid;
        this.categoryUid = categoryUid;
        this.caption = caption;
    }

    public int classUid() {
        return classUid;
    }

    public int categoryUid() {
        return categoryUid;
    }

    public String caption() {
        return caption;
    }

    public static EventClass ofClassUid(int uid) {
        for (EventClass c : values()) if (c.classUid == uid) return c;
        throw new IllegalArgumentException("classUid: " + uid + " (expected one of the OCSF classes Holdfast emits)");
    }
}
