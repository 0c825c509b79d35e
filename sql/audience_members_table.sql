-- Accounts in each account audience as of the run (build_audience_members fills it).
CREATE SCHEMA IF NOT EXISTS work;
CREATE OR REPLACE TABLE work.audience_members (
    audience_id VARCHAR NOT NULL,
    account_key VARCHAR NOT NULL
);
