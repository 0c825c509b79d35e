-- Sales hand-off: one row per active member (is_removed = false) of each sales_ready buying
-- group, with the group's scores and missing roles, the account's details and the member's
-- role and contact details.
-- Persons deleted in Marketo (or whose deletion flag is unreadable) are left out: a deleted
-- lead may be an erasure request. A member who may not be emailed (own flags, or any
-- duplicate lead with the same normalised email suppressed) keeps the row - sales needs the
-- group's composition - with the email blanked, may_email false and email_status saying why.
-- Needs activation/macros.sql and activation/suppressed_emails.sql on the connection, and
-- marts.sales_handoff freshly created from its model.
INSERT INTO marts.sales_handoff BY NAME
SELECT
    g.buying_group_id,
    g.name AS group_name,
    g.solution_interest_id,
    g.stage,
    g.qualified_at,
    g.newly_qualified,
    g.completeness_score,
    g.weighted_completeness_score,
    g.engagement_score,
    g.missing_roles,
    g.account_key,
    coalesce(a.account_name, g.account_name) AS account_name,
    a.industry,
    a.website,
    a.main_phone AS company_phone,
    m.person_key,
    p.first_name,
    p.last_name,
    p.job_title,
    m.role,
    r.weight::INTEGER AS role_weight,
    m.assignment_source,
    m.person_engagement_score,
    p.phone,
    CASE WHEN consent.status = 'may be emailed' THEN activation_normalised_email(p.work_email) END AS email,
    consent.status = 'may be emailed' AS may_email,
    consent.status AS email_status,
    g.as_of
FROM marts.buying_groups AS g
JOIN marts.buying_group_members AS m ON m.buying_group_id = g.buying_group_id
JOIN b2b.persons AS p ON p.person_key = m.person_key
LEFT JOIN b2b.accounts AS a ON a.account_key = g.account_key
LEFT JOIN marts.buying_group_roles AS r
    ON r.buying_group_id = m.buying_group_id AND r.role = m.role
LEFT JOIN activation_suppressed_emails AS s
    ON s.email = activation_normalised_email(p.work_email)
CROSS JOIN LATERAL (
    SELECT activation_email_status(
               p.is_unsubscribed, p.is_marketing_suspended, p.is_email_invalid, p.is_deleted,
               s.email IS NOT NULL, p.work_email) AS status
) AS consent
WHERE g.stage = 'sales_ready'
  AND m.is_removed = false
  AND p.is_deleted = false
ORDER BY g.buying_group_id, r.weight DESC NULLS LAST, m.role NULLS LAST, m.person_key;
