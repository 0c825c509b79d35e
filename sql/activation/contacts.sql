-- LinkedIn contact list of one solution interest: active members (is_removed = false) of its
-- buying groups whose stage is not sales_ready, minus every suppressed email (temp table
-- activation_suppressed_emails, built by activation_suppressed_emails.sql). One row per
-- normalised email; SHA-256 hex of it when $hash_emails. Suppression is checked twice on
-- purpose: on the person's own flags and on the email across duplicates.
WITH members AS (
    SELECT DISTINCT m.person_key, g.account_key, g.account_name AS group_account_name
    FROM marts.buying_groups AS g
    JOIN marts.buying_group_members AS m ON m.buying_group_id = g.buying_group_id
    WHERE g.solution_interest_id = $solution_interest_id
      AND g.stage IS DISTINCT FROM 'sales_ready'
      AND m.is_removed = false
),
contactable AS (
    SELECT
        activation_normalised_email(p.work_email) AS email,
        p.first_name,
        p.last_name,
        p.job_title,
        coalesce(a.account_name, m.group_account_name, p.company_name) AS employee_company,
        nullif(c.alpha2, '') AS country,
        p.person_key,
        m.account_key
    FROM members AS m
    JOIN b2b.persons AS p ON p.person_key = m.person_key
    LEFT JOIN b2b.accounts AS a ON a.account_key = m.account_key
    LEFT JOIN activation_country_alpha2 AS c ON c.raw = p.country
    -- Guarded by the member so DuckDB cannot push the email test into the scan of all
    -- persons (it normalised 1M emails to keep ~20k).
    WHERE CASE WHEN m.person_key IS NOT NULL THEN activation_normalised_email(p.work_email) LIKE '_%@_%' END
      AND NOT activation_is_suppressed(
          p.is_unsubscribed, p.is_marketing_suspended, p.is_email_invalid, p.is_deleted)
      AND NOT EXISTS (
          SELECT 1 FROM activation_suppressed_emails AS s
          WHERE s.email = activation_normalised_email(p.work_email))
),
one_per_email AS (
    SELECT *
    FROM contactable
    QUALIFY row_number() OVER (PARTITION BY email ORDER BY person_key, account_key) = 1
)
SELECT
    CASE WHEN $hash_emails THEN sha256(email) ELSE email END AS email,
    first_name AS firstname,
    last_name AS lastname,
    job_title AS jobtitle,
    employee_company AS employeecompany,
    country,
    NULL AS googleaid
FROM one_per_email
ORDER BY 1, person_key;
