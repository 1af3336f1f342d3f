package dev.holdfast.device.sim;

import java.time.Duration;

/**
 * Where a simulation stands. Connect times run from the start of a device's first connection
 * attempt to its granted subscriptions (TCP, TLS with client certificate, CONNECT, SUBSCRIBE).
 *
 * @param heapBytesPerDevice heap in use after a GC, divided by connected devices, minus the heap
 *                           before the fleet was built: an estimate, printed for the bench
 */
public record SimulationReport(int planned, int provisioned, int provisioningFailures, int connected, int connectFailures,
                               long telemetrySent, long telemetryAcknowledged, long bufferOverflows, long reportedOk,
                               long reportedFailed, long authFailuresAttempted, long authFailuresRefused, long topicAbuseAttempts,
                               long floodMessages, Duration connectP50, Duration connectP95, Duration connectMax,
                               Duration fleetConnectTime, long heapBytesPerDevice, int misconfigured) {
    public String summary() {
        return String.format(java.util.Locale.ROOT,
                "devices %d planned, %d provisioned (%d failed), %d connected (%d failed), %d misconfigured%n"
                        + "connect time p50 %d ms, p95 %d ms, max %d ms; whole fleet %d ms; heap ~%d KiB per device%n"
                        + "telemetry %d sent, %d acknowledged, %d dropped by full buffers; reported properties %d ok, %d failed%n"
                        + "misbehaviour: %d/%d rogue connections refused, %d topic-abuse publishes, %d flood messages",
                planned, provisioned, provisioningFailures, connected, connectFailures, misconfigured, connectP50.toMillis(), connectP95.toMillis(),
                connectMax.toMillis(), fleetConnectTime.toMillis(), heapBytesPerDevice / 1024, telemetrySent, telemetryAcknowledged, bufferOverflows,
                reportedOk, reportedFailed, authFailuresRefused, authFailuresAttempted, topicAbuseAttempts, floodMessages);
    }
}
