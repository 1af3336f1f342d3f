-- One row per configured exporter: the highest sequence number of security_event known delivered
-- (or filtered out) by it. Exporters resume after it, so delivery is at-least-once across restarts.
CREATE TABLE event_export_cursor (
    exporter   VARCHAR(128) NOT NULL PRIMARY KEY,
    last_seq   BIGINT       NOT NULL,
    updated_at BIGINT       NOT NULL
);
