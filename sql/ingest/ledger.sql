-- The ledger of landing files: pending until their entity's load commits, then ingested.
CREATE SCHEMA IF NOT EXISTS meta;
CREATE TABLE IF NOT EXISTS meta.landing_files (
    "drop" VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    entity VARCHAR NOT NULL,
    part VARCHAR NOT NULL,
    path VARCHAR NOT NULL,
    byte_size BIGINT NOT NULL,
    sha256 VARCHAR NOT NULL,
    header VARCHAR[] NOT NULL,
    status VARCHAR NOT NULL,            -- pending | ingested
    discovered_at TIMESTAMP NOT NULL,
    ingested_at TIMESTAMP,
    rows_read BIGINT,
    rows_quarantined BIGINT
);
