-- SOAR actions by Idempotency-Key: who asked, why, for which device, and the answer given, so a
-- retried request gets the same answer instead of acting twice.
CREATE TABLE soar_action (
    idempotency_key VARCHAR(128) NOT NULL,
    actor           VARCHAR(256) NOT NULL,
    action          VARCHAR(32)  NOT NULL,
    device_id       VARCHAR(128) NOT NULL,
    reason          TEXT         NOT NULL,
    request_hash    VARCHAR(64)  NOT NULL,
    state           VARCHAR(16)  NOT NULL,
    response        TEXT,
    created_at      BIGINT       NOT NULL,
    PRIMARY KEY (actor, idempotency_key)
);
