-- Current members of one journey-managed LinkedIn company audience: the accounts whose
-- latest linkedin_audience / linkedin_audience_remove action on it (up to as_of) added them.
WITH latest AS (
    SELECT account_key, action_type, buying_group_id
    FROM marts.journey_actions
    WHERE target = $audience AND as_of <= CAST($as_of AS DATE)
      AND action_type IN ('linkedin_audience', 'linkedin_audience_remove')
    QUALIFY row_number() OVER (PARTITION BY account_key ORDER BY as_of DESC, seq DESC) = 1
),
members AS (
    SELECT l.account_key, min(g.account_name) AS group_account_name
    FROM latest AS l
    LEFT JOIN marts.buying_groups AS g ON g.buying_group_id = l.buying_group_id
    WHERE l.action_type = 'linkedin_audience'
    GROUP BY l.account_key
)
SELECT row.*
FROM members AS t, activation_company_row(t.account_key, t.group_account_name) AS row
ORDER BY row.companyname, t.account_key;
