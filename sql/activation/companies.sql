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
SELECT
    coalesce(a.account_name, t.group_account_name) AS companyname,
    a.website AS companywebsite,
    coalesce(activation_website_host(a.website), activation_website_host(a.domain)) AS companyemaildomain,
    a.linkedin_company_page_url AS linkedincompanypageurl,
    a.stock_symbol AS stocksymbol,
    a.industry AS industry,
    a.billing_city AS city,
    a.billing_state AS state,
    nullif(c.alpha2, '') AS companycountry,
    a.billing_postal_code AS zipcode
FROM target_accounts AS t
LEFT JOIN b2b.accounts AS a ON a.account_key = t.account_key
LEFT JOIN activation_country_alpha2 AS c ON c.raw = a.billing_country
WHERE a.is_deleted IS DISTINCT FROM true
ORDER BY companyname, t.account_key;
