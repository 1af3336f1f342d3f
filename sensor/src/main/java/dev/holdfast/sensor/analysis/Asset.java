package dev.holdfast.sensor.analysis;

import dev.holdfast.sensor.dissect.AppProtocol;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A device seen on the network: by MAC where the link layer shows one, else by IP. Mutable while
 * a capture is analysed; {@link AssetView} is its immutable report form.
 */
final class Asset {
    final long mac;
    final String key;
    final long[] ipHi = new long[8], ipLo = new long[8];
    int ipCount;
    final Set<String> names = new LinkedHashSet<>();
    final Set<String> software = new LinkedHashSet<>();
    final EnumSet<AppProtocol> serves = EnumSet.noneOf(AppProtocol.class);
    final EnumSet<AppProtocol> uses = EnumSet.noneOf(AppProtocol.class);
    final long[] seenText = new long[64];
    int seenTextCount;
    boolean sentIndustrialWrites;
    int industrialPeers;
    long firstSeenNanos, lastSeenNanos;
    long packets, bytes;
    String vendor;
    String dhcpFingerprint;
    String dhcpVendorClass;

    boolean learned;
    long bucketStart, bucketBytes, bucketFirstFrame;
    private long[] volumeHistory = new long[64];
    private int volumeCount;
    long volumeMedian = -1, volumeMad;
    private long[] functions = new long[16];
    private int functionCount;

    boolean knowsFunction(long key) {
        for (int i = 0; i < functionCount; i++) if (functions[i] == key) return true;
        return false;
    }

    void addFunction(long key, boolean learning) {
        if (functionCount == functions.length) functions = java.util.Arrays.copyOf(functions, functions.length * 2);
        functions[functionCount++] = key;
    }

    void learnVolume(long v) {
        if (volumeCount == volumeHistory.length) {
            if (volumeHistory.length >= 10_080) return; // a week of one-minute buckets is enough
            volumeHistory = java.util.Arrays.copyOf(volumeHistory, volumeHistory.length * 2);
        }
        volumeHistory[volumeCount++] = v;
    }

    /** Median and median absolute deviation of the learned buckets; fewer than 5 buckets: no volume baseline. */
    void freezeVolumeBaseline() {
        if (volumeCount < 5) return;
        long[] v = java.util.Arrays.copyOf(volumeHistory, volumeCount);
        java.util.Arrays.sort(v);
        volumeMedian = v[v.length / 2];
        long[] dev = new long[v.length];
        for (int i = 0; i < v.length; i++) dev[i] = Math.abs(v[i] - volumeMedian);
        java.util.Arrays.sort(dev);
        volumeMad = dev[dev.length / 2];
    }

    Asset(long mac, String key) {
        this.mac = mac;
        this.key = key;
    }

    boolean hasIp(long hi, long lo) {
        for (int i = 0; i < ipCount; i++) if (ipLo[i] == lo && ipHi[i] == hi) return true;
        return false;
    }

    void addIp(long hi, long lo) {
        if (ipCount < ipHi.length && !hasIp(hi, lo)) {
            ipHi[ipCount] = hi;
            ipLo[ipCount] = lo;
            ipCount++;
        }
    }

    /** True the first time these text bytes are seen for this asset (by a 64-bit hash), so strings are built once. */
    boolean firstTime(long hash) {
        for (int i = 0; i < seenTextCount; i++) if (seenText[i] == hash) return false;
        if (seenTextCount < seenText.length) seenText[seenTextCount++] = hash;
        else return false;
        return true;
    }

    /** PLC, HMI or engineering workstation by what the asset does in industrial protocols; else a generic role. */
    String role() {
        boolean servesOt = serves.stream().anyMatch(a -> a.industrial);
        boolean usesOt = uses.stream().anyMatch(a -> a.industrial);
        if (servesOt) return "PLC/controller";
        if (usesOt && sentIndustrialWrites && (uses.contains(AppProtocol.S7COMM) || uses.size() > 2)) return "engineering workstation";
        if (usesOt) return "HMI/SCADA client";
        if (serves.contains(AppProtocol.MQTT)) return "MQTT broker";
        if (!serves.isEmpty()) return "server";
        return uses.isEmpty() ? "unknown" : "client";
    }
}
