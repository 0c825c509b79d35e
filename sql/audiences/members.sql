-- Accounts in each account audience as of the run, before they are published (a temp table
-- of the audiences step: build_audience_members fills it).
CREATE OR REPLACE TEMP TABLE audience_members (
    audience_id VARCHAR NOT NULL,
    account_key VARCHAR NOT NULL
);
