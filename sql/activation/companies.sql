-- LinkedIn company list of one solution interest: the accounts of its buying groups whose
-- completeness_score < 100, optionally only those missing one of $roles. One row per
-- account; accounts deleted in Marketo are left out. Columns in LinkedIn's template order.
-- $roles: NULL = every incomplete group, else groups whose missing_roles include any of them.
WITH target_accounts AS (
    SELECT account_key, min(account_name) AS group_account_name
    FROM marts.buying_groups
    WHERE solution_interest_id = $solution_interest_id
      AND completeness_score < 100
      AND ($roles IS NULL OR list_has_any(missing_roles, $roles))
    GROUP BY account_key
)
SELECT row.*
FROM target_accounts AS t, activation_company_row(t.account_key, t.group_account_name) AS row
ORDER BY row.companyname, t.account_key;
