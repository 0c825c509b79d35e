-- marts.persons: the BI dimension of persons, current state, deleted leads left out (a
-- deletion may be an erasure request). Consent becomes one may_email flag, by the rules of the
-- LinkedIn lists and the sales hand-off (activation_email_status); emails and phones stay out.
-- Needs activation/macros.sql, activation/suppressed_emails.sql and activation_country_alpha2.
INSERT INTO marts.persons BY NAME
SELECT
    p.person_key,
    p.account_key,
    p.first_name,
    p.last_name,
    p.job_title,
    p.department,
    p.city,
    p.state,
    p.country,
    nullif(c.alpha2, '') AS country_code,
    p.lead_source,
    p.lead_status,
    p.lead_score,
    activation_email_status(
        p.is_unsubscribed, p.is_marketing_suspended, p.is_email_invalid, p.is_deleted,
        s.email IS NOT NULL, p.work_email) = 'may be emailed' AS may_email,
    p.has_known_account,
    p.created_at,
    p.updated_at
FROM b2b.persons AS p
LEFT JOIN activation_suppressed_emails AS s
    ON s.email = activation_normalised_email(p.work_email)
LEFT JOIN activation_country_alpha2 AS c ON c.raw = p.country
WHERE p.is_deleted = false;
