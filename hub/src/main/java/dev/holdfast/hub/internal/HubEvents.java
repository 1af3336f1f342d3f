package dev.holdfast.hub.internal;

import dev.holdfast.events.EventClass;
import dev.holdfast.events.EventSink;
import dev.holdfast.events.SecurityEvent;
import dev.holdfast.events.Severity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executor;

/**
 * The hub's security events, emitted off the network threads (the event log writes to the store).
 * Activities: {@code hub.connect.accepted}, {@code hub.connect.refused}, {@code hub.session.ended}
 * (revoked, disabled, replaced, kicked), {@code hub.authorization.denied}, {@code hub.protocol.violation},
 * {@code hub.limit.exceeded}.
 */
public final class HubEvents {
    private static final Logger log = LoggerFactory.getLogger(HubEvents.class);
    private static final String SOURCE = "hub";

    private final EventSink sink;
    private final Executor executor;

    public HubEvents(EventSink sink, Executor executor) {
        this.sink = sink;
        this.executor = executor;
    }

    public void connectAccepted(String deviceId, String remote, String tls, String cipher, String scope, String sha256) {
        emit(SecurityEvent.builder(EventClass.AUTHENTICATION, "hub.connect.accepted").device(deviceId).source(SOURCE)
                .message("device '" + deviceId + "' connected from " + remote + " over " + tls + " (" + scope + " scope)")
                .detail("remote", remote).detail("tlsProtocol", tls).detail("cipherSuite", cipher).detail("scope", scope)
                .detail("certificateSha256", sha256).build());
    }

    public void connectRefused(String deviceId, String remote, String reason, String message) {
        emit(SecurityEvent.builder(EventClass.AUTHENTICATION, "hub.connect.refused").severity(Severity.MEDIUM).outcome(SecurityEvent.Outcome.FAILURE)
                .device(deviceId).source(SOURCE).message("connection from " + remote + " refused: " + message)
                .detail("remote", remote).detail("reason", reason).build());
    }

    public void sessionEnded(String deviceId, String reason, String message) {
        emit(SecurityEvent.builder(EventClass.AUTHORIZE_SESSION, "hub.session.ended").severity(Severity.LOW).device(deviceId).source(SOURCE)
                .message("session of device '" + deviceId + "' ended: " + message).detail("reason", reason).build());
    }

    public void authorizationDenied(String deviceId, String what, String message) {
        emit(SecurityEvent.builder(EventClass.AUTHORIZE_SESSION, "hub.authorization.denied").severity(Severity.MEDIUM)
                .outcome(SecurityEvent.Outcome.FAILURE).device(deviceId).source(SOURCE).message(message).detail("operation", what).build());
    }

    public void protocolViolation(String deviceId, String remote, String message) {
        emit(SecurityEvent.builder(EventClass.NETWORK_ACTIVITY, "hub.protocol.violation").severity(Severity.LOW).outcome(SecurityEvent.Outcome.FAILURE)
                .device(deviceId).source(SOURCE).message("session from " + remote + " closed: " + message).detail("remote", remote).build());
    }

    public void limitExceeded(String deviceId, String remote, String limit, String message) {
        emit(SecurityEvent.builder(EventClass.NETWORK_ACTIVITY, "hub.limit.exceeded").severity(Severity.LOW).outcome(SecurityEvent.Outcome.FAILURE)
                .device(deviceId).source(SOURCE).message(message).detail("remote", remote).detail("limit", limit).build());
    }

    private void emit(SecurityEvent e) {
        try {
            executor.execute(() -> {
                try {
                    sink.emit(e);
                } catch (RuntimeException ex) {
                    log.error("security event {} could not be recorded", e.activity(), ex);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException ex) {
            log.warn("security event {} dropped: the hub is stopping", e.activity());
        }
    }
}
