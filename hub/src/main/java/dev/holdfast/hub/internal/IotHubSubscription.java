package dev.holdfast.hub.internal;

/**
 * The topic filters a device may subscribe to, one kind per feature. A filter is allowed when it
 * equals one of the hub's filters or is a narrower filter below it in the device's namespace.
 */
public enum IotHubSubscription {
    CLOUD_TO_DEVICE, TWIN_RESPONSES, TWIN_DESIRED, METHODS;

    /** The kind of {@code filter} for {@code deviceId}, or null when the device may not subscribe to it. */
    public static IotHubSubscription of(String filter, String deviceId) {
        String c2d = "devices/" + deviceId + "/messages/devicebound/";
        if (filter.startsWith(c2d) && !filter.substring(c2d.length()).contains("+") && tailOk(filter, c2d)) return CLOUD_TO_DEVICE;
        if (filter.equals("devices/" + deviceId + "/messages/devicebound")) return CLOUD_TO_DEVICE;
        if (under(filter, "$iothub/twin/res/")) return TWIN_RESPONSES;
        if (under(filter, "$iothub/twin/PATCH/properties/desired/")) return TWIN_DESIRED;
        if (under(filter, "$iothub/methods/POST/")) return METHODS;
        return null;
    }

    private static boolean under(String filter, String prefix) {
        return filter.startsWith(prefix) && tailOk(filter, prefix) || filter.equals(prefix.substring(0, prefix.length() - 1));
    }

    /** Wildcards only where MQTT allows them: {@code #} last, {@code +} as a whole level. */
    private static boolean tailOk(String filter, String prefix) {
        String tail = filter.substring(prefix.length());
        int hash = tail.indexOf('#');
        if (hash >= 0 && (hash != tail.length() - 1 || (hash > 0 && tail.charAt(hash - 1) != '/'))) return false;
        for (int i = tail.indexOf('+'); i >= 0; i = tail.indexOf('+', i + 1)) {
            if ((i > 0 && tail.charAt(i - 1) != '/') || (i < tail.length() - 1 && tail.charAt(i + 1) != '/')) return false;
        }
        return true;
    }
}
