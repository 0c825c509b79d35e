-- marts.accounts: the BI dimension of accounts, current state, deleted accounts left out.
-- No lineage columns (drop, file, line): BI joins on account_key and groups by attributes.
-- Needs activation_country_alpha2 on the connection (register_country_map).
INSERT INTO marts.accounts BY NAME
WITH people AS (
    SELECT account_key, count(*) AS person_count
    FROM b2b.persons
    WHERE is_deleted = false AND account_key IS NOT NULL
    GROUP BY account_key
)
SELECT
    a.account_key,
    a.account_name,
    a.domain,
    a.website,
    a.industry,
    a.employee_count,
    a.annual_revenue,
    a.sic_code,
    a.billing_city,
    a.billing_state,
    a.billing_country,
    nullif(c.alpha2, '') AS country_code,
    a.main_phone,
    a.linkedin_company_page_url,
    a.stock_symbol,
    a.external_company_id,
    coalesce(people.person_count, 0) AS person_count,
    a.created_at,
    a.updated_at
FROM b2b.accounts AS a
LEFT JOIN people ON people.account_key = a.account_key
LEFT JOIN activation_country_alpha2 AS c ON c.raw = a.billing_country
WHERE a.is_deleted = false;
