-- Cloud-to-device messages: a durable queue per device. status: pending (not yet sent on the current
-- connection), delivered (sent, waiting for PUBACK), completed (PUBACK received), expired.
CREATE TABLE hub_c2d_message (
    id           VARCHAR(36)  PRIMARY KEY,
    device_id    VARCHAR(128) NOT NULL,
    seq          BIGINT       NOT NULL,
    status       VARCHAR(16)  NOT NULL,
    properties   ${json}      NOT NULL,
    body         ${blob}      NOT NULL,
    created_at   BIGINT       NOT NULL,
    expires_at   BIGINT       NOT NULL,
    delivered_at BIGINT,
    completed_at BIGINT,
    attempts     INTEGER      NOT NULL
);
CREATE INDEX hub_c2d_device ON hub_c2d_message (device_id, status, seq);
CREATE INDEX hub_c2d_expiry ON hub_c2d_message (status, expires_at);

-- The built-in telemetry store, pruned by age (hub.telemetry.retention).
CREATE TABLE hub_telemetry (
    id           ${autoKey},
    device_id    VARCHAR(128) NOT NULL,
    module_id    VARCHAR(128),
    enqueued_at  BIGINT       NOT NULL,
    system       ${json}      NOT NULL,
    properties   ${json}      NOT NULL,
    body         ${blob}      NOT NULL,
    will         INTEGER      NOT NULL
);
CREATE INDEX hub_telemetry_device ON hub_telemetry (device_id, enqueued_at);
CREATE INDEX hub_telemetry_age ON hub_telemetry (enqueued_at);
