-- Publish the audience membership computed in the temp table audience_members for this as_of
-- (marts.account_audience_members freshly created from its model).
INSERT INTO marts.account_audience_members BY NAME
SELECT audience_id AS audience, account_key, CAST($as_of AS DATE) AS as_of
FROM audience_members
ORDER BY audience, account_key;
