-- The durable security event log. seq is the append order (the exporters' cursor); id is the UUIDv7.
CREATE TABLE security_event (
    seq           ${autoKey},
    id            VARCHAR(36)  NOT NULL UNIQUE,
    event_time    BIGINT       NOT NULL,
    class_uid     INTEGER      NOT NULL,
    activity      VARCHAR(128) NOT NULL,
    outcome       VARCHAR(16)  NOT NULL,
    severity_id   INTEGER      NOT NULL,
    device_id     VARCHAR(128),
    actor         VARCHAR(256) NOT NULL,
    source_module VARCHAR(64)  NOT NULL,
    message       TEXT         NOT NULL,
    details       TEXT         NOT NULL
);
CREATE INDEX security_event_device ON security_event (device_id, seq);
CREATE INDEX security_event_time ON security_event (event_time);
