-- Device models: what a device is, and how long its maker supports it.
CREATE TABLE device_model (
    id                      VARCHAR(128) PRIMARY KEY,
    manufacturer            VARCHAR(256) NOT NULL,
    model                   VARCHAR(256) NOT NULL,
    hardware_revision       VARCHAR(64),
    end_of_support          VARCHAR(10),           -- ISO date yyyy-mm-dd
    security_update_horizon VARCHAR(10),           -- ISO date until which security updates are committed
    created_at              BIGINT       NOT NULL,
    updated_at              BIGINT       NOT NULL
);

-- The device registry. JSON documents (tags, desired, reported, metadata) are TEXT on SQLite (read
-- with json_extract) and JSONB on PostgreSQL. version increases on every change (optimistic locking);
-- etag is derived from it.
CREATE TABLE device (
    id                 VARCHAR(128) PRIMARY KEY,
    hub                VARCHAR(256),
    status             VARCHAR(16)  NOT NULL,       -- enabled | disabled
    status_reason      VARCHAR(512),
    lifecycle          VARCHAR(16)  NOT NULL,       -- registered | provisioned | active | quarantined | decommissioned
    auth_type          VARCHAR(16)  NOT NULL,       -- none | certificate | ca
    auth_thumbprints   ${json}      NOT NULL,       -- ["sha256 hex", ...]
    parent_id          VARCHAR(128),
    model_id           VARCHAR(128) REFERENCES device_model (id),
    capabilities       ${json}      NOT NULL,       -- {"gateway": false}
    tags               ${json}      NOT NULL,
    tags_version       BIGINT       NOT NULL,
    desired            ${json}      NOT NULL,
    desired_version    BIGINT       NOT NULL,
    reported           ${json}      NOT NULL,
    reported_version   BIGINT       NOT NULL,
    twin_metadata      ${json}      NOT NULL,       -- per-property lastUpdated, mirroring desired/reported
    connection_state   VARCHAR(16)  NOT NULL,       -- connected | disconnected
    last_activity      BIGINT,
    health_compliance  VARCHAR(16)  NOT NULL,       -- compliant | non-compliant | unknown
    health_risk        DOUBLE PRECISION,
    health_reasons     ${json}      NOT NULL,
    created_at         BIGINT       NOT NULL,
    updated_at         BIGINT       NOT NULL,
    version            BIGINT       NOT NULL
);
CREATE INDEX device_hub ON device (hub);
CREATE INDEX device_status ON device (status);
CREATE INDEX device_lifecycle ON device (lifecycle);
CREATE INDEX device_parent ON device (parent_id);
CREATE INDEX device_model_ref ON device (model_id);
CREATE INDEX device_connection ON device (connection_state);

-- Bulk import/export jobs: resumable by position, idempotent by device id.
CREATE TABLE registry_job (
    id           VARCHAR(36)  PRIMARY KEY,
    kind         VARCHAR(16)  NOT NULL,            -- import | export
    status       VARCHAR(16)  NOT NULL,            -- queued | running | completed | failed | cancelled
    source       VARCHAR(1024),
    position     BIGINT       NOT NULL,            -- lines processed so far (resume point)
    total        BIGINT,
    succeeded    BIGINT       NOT NULL,
    failed       BIGINT       NOT NULL,
    errors       ${json}      NOT NULL,            -- first errors: [{"line": n, "message": "..."}]
    created_by   VARCHAR(256) NOT NULL,
    created_at   BIGINT       NOT NULL,
    updated_at   BIGINT       NOT NULL
);
