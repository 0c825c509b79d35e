-- Every company reached by ads (per platform and name as the platform writes it), matched to
-- a current account: by LinkedIn company page URL, else by web domain (the accounts' domain
-- rule, bg_domain), else by normalised name (bg_company_name_key). An unmatched company is
-- kept with account_key NULL: the table is also the report of what did not match. When a rule
-- finds several accounts, the smallest account_key is taken and candidate_accounts says so.
-- Rebuilt from the current accounts every time, so a company matches once its account arrives.
CREATE OR REPLACE TABLE b2b.ad_company_matches AS
WITH companies AS (
    SELECT
        lower(platform) AS platform,
        company_name,
        arg_max(company_website, "date") FILTER (WHERE company_website IS NOT NULL) AS company_website,
        arg_max(linkedin_company_page_url, "date") FILTER (WHERE linkedin_company_page_url IS NOT NULL)
            AS linkedin_company_page_url,
        sum(impressions)::BIGINT AS impressions,
        min("date") AS first_date,
        max("date") AS last_date
    FROM b2b.ad_company_reach
    GROUP BY ALL
),
current_accounts AS (
    SELECT
        account_key,
        bg_linkedin_page_key(linkedin_company_page_url) AS page_key,
        domain,
        bg_company_name_key(account_name) AS name_key
    FROM b2b.accounts
    WHERE NOT is_deleted
),
by_page AS (
    SELECT c.platform, c.company_name, min(a.account_key) AS account_key, count(*) AS candidates
    FROM companies AS c
    JOIN current_accounts AS a ON a.page_key = bg_linkedin_page_key(c.linkedin_company_page_url)
    GROUP BY ALL
),
by_domain AS (
    SELECT c.platform, c.company_name, min(a.account_key) AS account_key, count(*) AS candidates
    FROM companies AS c
    JOIN current_accounts AS a ON a.domain = bg_domain(c.company_website)
    GROUP BY ALL
),
by_name AS (
    SELECT c.platform, c.company_name, min(a.account_key) AS account_key, count(*) AS candidates
    FROM companies AS c
    JOIN current_accounts AS a ON a.name_key = bg_company_name_key(c.company_name)
    GROUP BY ALL
)
SELECT
    c.platform,
    c.company_name,
    c.company_website,
    c.linkedin_company_page_url,
    coalesce(p.account_key, d.account_key, n.account_key) AS account_key,
    CASE
        WHEN p.account_key IS NOT NULL THEN 'linkedin_page_url'
        WHEN d.account_key IS NOT NULL THEN 'domain'
        WHEN n.account_key IS NOT NULL THEN 'name'
    END AS matched_by,
    coalesce(p.candidates, d.candidates, n.candidates, 0)::BIGINT AS candidate_accounts,
    c.impressions,
    c.first_date,
    c.last_date
FROM companies AS c
LEFT JOIN by_page AS p ON p.platform = c.platform AND p.company_name = c.company_name
LEFT JOIN by_domain AS d ON d.platform = c.platform AND d.company_name = c.company_name
LEFT JOIN by_name AS n ON n.platform = c.platform AND n.company_name = c.company_name
ORDER BY c.platform, c.company_name;
