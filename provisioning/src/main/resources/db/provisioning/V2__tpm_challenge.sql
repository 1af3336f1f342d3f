-- Open TPM credential-activation challenges (docs/provisioning-tpm.md). A row is the whole
-- TpmChallenge as JSON (it holds the SHA-256 of the secret, never the secret) and is also the
-- one-time-use ledger: a successful activation deletes it with a single-row DELETE, so a replay
-- finds no row, and of two racing activations only the one whose DELETE removed the row wins.
-- Times are epoch milliseconds; expired rows are purged when new challenges are made.
CREATE TABLE prov_tpm_challenge (
    id              VARCHAR(64)   PRIMARY KEY,
    registration_id VARCHAR(128)  NOT NULL,
    record          TEXT          NOT NULL,
    created_at      BIGINT        NOT NULL,
    expires_at      BIGINT        NOT NULL
);

CREATE INDEX prov_tpm_challenge_expires ON prov_tpm_challenge (expires_at);
