-- Publish the audience membership computed in the temp table audience_members for this as_of.
CREATE SCHEMA IF NOT EXISTS marts;
CREATE OR REPLACE TABLE marts.account_audience_members AS
SELECT audience_id AS audience, account_key, CAST($as_of AS DATE) AS as_of
FROM audience_members
ORDER BY audience, account_key;
