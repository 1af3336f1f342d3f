-- Advisories as the feeds gave them (OSV record or NVD CVE item, as compact JSON); re-parsed at start.
-- (kind, id) is the identity; content_hash and modified make re-imports idempotent.
CREATE TABLE posture_advisory (
    kind          VARCHAR(8)    NOT NULL,        -- osv | nvd
    id            VARCHAR(256)  NOT NULL,
    modified      BIGINT        NOT NULL,        -- epoch millis, from the feed
    content_hash  BIGINT        NOT NULL,        -- first 8 bytes of SHA-256 of the stored document
    source        VARCHAR(1024) NOT NULL,        -- the path (and zip entry) it was imported from
    imported_at   BIGINT        NOT NULL,
    doc           TEXT          NOT NULL,
    PRIMARY KEY (kind, id)
);

CREATE TABLE posture_kev (
    cve           VARCHAR(32)   PRIMARY KEY,
    vendor        VARCHAR(256)  NOT NULL,
    product       VARCHAR(256)  NOT NULL,
    date_added    VARCHAR(10)   NOT NULL,
    due_date      VARCHAR(10),
    ransomware    BOOLEAN       NOT NULL,
    source        VARCHAR(1024) NOT NULL,
    imported_at   BIGINT        NOT NULL
);

CREATE TABLE posture_epss (
    cve           VARCHAR(32)   PRIMARY KEY,
    epss          DOUBLE PRECISION NOT NULL,
    percentile    DOUBLE PRECISION NOT NULL,
    score_date    VARCHAR(40)   NOT NULL,
    source        VARCHAR(1024) NOT NULL,
    imported_at   BIGINT        NOT NULL
);

-- One row per import run: where from, when, and what changed.
CREATE TABLE posture_import (
    id            ${autoKey},
    source        VARCHAR(1024) NOT NULL,
    started_at    BIGINT        NOT NULL,
    finished_at   BIGINT        NOT NULL,
    read_count    BIGINT        NOT NULL,
    added         BIGINT        NOT NULL,
    updated       BIGINT        NOT NULL,
    unchanged     BIGINT        NOT NULL,
    refused       BIGINT        NOT NULL,
    actor         VARCHAR(256)  NOT NULL
);

-- SBOMs per firmware image (device model + firmware version); components stored flattened as JSON.
CREATE TABLE posture_sbom (
    model         VARCHAR(128)  NOT NULL,
    version       VARCHAR(128)  NOT NULL,
    format        VARCHAR(16)   NOT NULL,
    spec_version  VARCHAR(16)   NOT NULL,
    sha256        VARCHAR(64)   NOT NULL,
    components    INTEGER       NOT NULL,
    uploaded_at   BIGINT        NOT NULL,
    uploaded_by   VARCHAR(256)  NOT NULL,
    doc           TEXT          NOT NULL,
    PRIMARY KEY (model, version)
);
