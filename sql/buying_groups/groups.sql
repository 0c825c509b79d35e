-- The buying groups that exist as of this run: one per (solution interest, current account
-- in its audience). An account without a name is named by its key.
CREATE OR REPLACE TEMP TABLE scoring_groups AS
SELECT
    interests.solution_interest_id || ':' || accounts.account_key AS buying_group_id,
    interests.name || ' for ' || coalesce(accounts.account_name, accounts.account_key) AS name,
    interests.solution_interest_id,
    accounts.account_key,
    accounts.account_name,
    interests.min_completeness,
    interests.min_engagement,
    coalesce(interests.require_interest, false) AS require_interest
FROM work.solution_interests AS interests
JOIN (SELECT DISTINCT audience, account_key FROM marts.account_audience_members) AS audience
    ON audience.audience = interests.account_audience_id
JOIN b2b.accounts AS accounts
    ON accounts.account_key = audience.account_key AND NOT accounts.is_deleted
