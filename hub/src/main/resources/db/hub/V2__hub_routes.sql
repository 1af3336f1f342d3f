-- Webhook routes deliver from hub_telemetry rows; each keeps the last delivered row id.
CREATE TABLE hub_route_cursor (
    route    VARCHAR(64) PRIMARY KEY,
    last_id  BIGINT      NOT NULL
);
