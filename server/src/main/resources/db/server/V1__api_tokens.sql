-- Bearer tokens of the admin API (/api/v1). A token is "hf_<id>_<secret>": the id is public and names
-- the row; only the SHA-256 of the 256-bit secret is stored, so a copy of this table grants nothing.
-- Revoked tokens keep their row (revoked_at set) for the audit trail and so the bootstrap token is
-- never issued twice.
CREATE TABLE api_token (
    id            VARCHAR(32)  NOT NULL PRIMARY KEY,
    name          VARCHAR(128) NOT NULL,
    secret_sha256 ${blob}      NOT NULL,
    created_at    BIGINT       NOT NULL,
    created_by    VARCHAR(256) NOT NULL,
    expires_at    BIGINT,
    last_used_at  BIGINT,
    revoked_at    BIGINT,
    revoked_by    VARCHAR(256)
);
