-- The TLS parameters of each device's last connection to the hub (posture judges them). Kept beside
-- the device row, not in it: the hub writes it on every connection, which must not bump the device's
-- version (an ETag other clients rely on).
CREATE TABLE device_tls (
    device_id     VARCHAR(128) PRIMARY KEY,
    protocol      VARCHAR(32)  NOT NULL,
    cipher_suite  VARCHAR(128) NOT NULL,
    recorded_at   BIGINT       NOT NULL
);
