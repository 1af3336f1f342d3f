-- Certificate authorities Holdfast holds (root and issuing). status: active, or pending while an
-- externally signed certificate is awaited (offline root).
CREATE TABLE ca_authority (
    name        VARCHAR(64)  PRIMARY KEY,
    role        VARCHAR(16)  NOT NULL,
    parent      VARCHAR(64),
    status      VARCHAR(16)  NOT NULL,
    key_alias   VARCHAR(128) NOT NULL,
    cert_der    ${blob},
    created_at  BIGINT       NOT NULL
);

-- Every certificate ever issued. serial is lowercase hex without leading zeros.
CREATE TABLE certificate (
    serial         VARCHAR(48)  PRIMARY KEY,
    ca_name        VARCHAR(64)  NOT NULL,
    profile        VARCHAR(32)  NOT NULL,
    subject        VARCHAR(1024) NOT NULL,
    common_name    VARCHAR(128) NOT NULL,
    device_id      VARCHAR(128),
    sha256         CHAR(64)     NOT NULL UNIQUE,
    not_before     BIGINT       NOT NULL,
    not_after      BIGINT       NOT NULL,
    issued_at      BIGINT       NOT NULL,
    actor          VARCHAR(256) NOT NULL,
    status         VARCHAR(16)  NOT NULL,
    revoked_at     BIGINT,
    reason         INTEGER,
    expiry_warned  INTEGER      NOT NULL DEFAULT 0,
    der            ${blob}      NOT NULL
);
CREATE INDEX certificate_cn ON certificate (common_name);
CREATE INDEX certificate_device ON certificate (device_id);
CREATE INDEX certificate_ca_status ON certificate (ca_name, status);
CREATE INDEX certificate_not_after ON certificate (not_after);

-- The last CRL number per CA (RFC 5280 §5.2.3: monotonically increasing).
CREATE TABLE crl_state (
    ca_name     VARCHAR(64) PRIMARY KEY,
    crl_number  BIGINT      NOT NULL,
    this_update BIGINT      NOT NULL
);

-- One-time EST bootstrap tokens (RFC 7030 §3.2.3 HTTP-based client authentication). Only the
-- SHA-256 of the token is stored; the token itself is shown once.
CREATE TABLE est_bootstrap_token (
    id           VARCHAR(36)  PRIMARY KEY,
    token_hash   CHAR(64)     NOT NULL UNIQUE,
    common_name  VARCHAR(128) NOT NULL,
    device_id    VARCHAR(128),
    profile      VARCHAR(32)  NOT NULL,
    expires_at   BIGINT       NOT NULL,
    created_at   BIGINT       NOT NULL,
    created_by   VARCHAR(256) NOT NULL,
    used_at      BIGINT,
    used_serial  VARCHAR(48)
);
