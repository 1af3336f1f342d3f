-- Zero-touch provisioning. JSON documents are TEXT on both databases: provisioning never queries
-- inside them. Booleans are INTEGER 0/1 on both. Times are epoch milliseconds.

-- The provisioning service's id scope: one row, made on first start.
CREATE TABLE prov_scope (
    id          INTEGER      PRIMARY KEY,           -- always 1
    id_scope    VARCHAR(64)  NOT NULL,
    created_at  BIGINT       NOT NULL
);

CREATE TABLE prov_linked_hub (
    name        VARCHAR(64)  PRIMARY KEY,
    host_name   VARCHAR(253) NOT NULL UNIQUE,
    weight      INTEGER      NOT NULL,
    region      VARCHAR(64)  NOT NULL,
    enabled     INTEGER      NOT NULL,
    created_at  BIGINT       NOT NULL,
    updated_at  BIGINT       NOT NULL
);

-- Manufacturer CAs: uploaded, then verified by proof of possession of the key.
CREATE TABLE prov_manufacturer_ca (
    name              VARCHAR(64)   PRIMARY KEY,
    certificate       ${blob}       NOT NULL,
    sha256            VARCHAR(64)   NOT NULL UNIQUE,
    subject           VARCHAR(1024) NOT NULL,
    verified          INTEGER       NOT NULL,
    verification_code VARCHAR(64)   NOT NULL,
    crl               ${blob},
    created_at        BIGINT        NOT NULL,
    verified_at       BIGINT
);

-- Enrollment groups (kind 'group', id = group id) and individual enrollments (kind 'individual',
-- id = registration id). attestation and settings are JSON; enabled is copied out of settings so a
-- disable is one indexed write.
CREATE TABLE prov_enrollment (
    kind         VARCHAR(16)  NOT NULL,
    id           VARCHAR(128) NOT NULL,
    attestation  TEXT         NOT NULL,
    ca_name      VARCHAR(64),                        -- groups: the manufacturer CA that anchors it
    thumbprint   VARCHAR(64),                        -- individual X.509: the leaf's SHA-256
    device_id    VARCHAR(128),
    settings     TEXT         NOT NULL,
    enabled      INTEGER      NOT NULL,
    created_at   BIGINT       NOT NULL,
    updated_at   BIGINT       NOT NULL,
    version      BIGINT       NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX prov_enrollment_ca ON prov_enrollment (ca_name);

-- The current registration of each registration id.
CREATE TABLE prov_registration (
    registration_id VARCHAR(128) PRIMARY KEY,
    device_id       VARCHAR(128) NOT NULL,
    enrollment      VARCHAR(200) NOT NULL,
    assigned_hub    VARCHAR(253) NOT NULL,
    status          VARCHAR(16)  NOT NULL,
    substatus       VARCHAR(40)  NOT NULL,
    payload         TEXT         NOT NULL,
    created_at      BIGINT       NOT NULL,
    updated_at      BIGINT       NOT NULL,
    version         BIGINT       NOT NULL
);
CREATE INDEX prov_registration_device ON prov_registration (device_id);

-- Registration operations, as devices poll them. request_hash = SHA-256 of (client certificate, body):
-- the same request while the operation is fresh returns the same operation (idempotency).
CREATE TABLE prov_operation (
    operation_id    VARCHAR(36)  PRIMARY KEY,
    registration_id VARCHAR(128) NOT NULL,
    request_hash    VARCHAR(64)  NOT NULL,
    credential      VARCHAR(64)  NOT NULL,         -- SHA-256 of the client certificate that asked
    status          VARCHAR(16)  NOT NULL,
    result          TEXT         NOT NULL,         -- the registration state or the refusal, JSON
    created_at      BIGINT       NOT NULL
);
CREATE INDEX prov_operation_registration ON prov_operation (registration_id, created_at);
