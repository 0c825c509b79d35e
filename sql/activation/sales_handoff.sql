-- Sales hand-off: one row per active member (is_removed = false) of each sales_ready buying
-- group, with the group's scores and the member's role and contact details.
-- Persons deleted in Marketo (or whose deletion flag is unreadable) are left out: a deleted
-- lead may be an erasure request. A member whose email is suppressed for marketing (own
-- flags, or any duplicate lead with the same normalised email) keeps the row - sales needs
-- the group's composition - but the email is blanked and email_suppressed says why.
-- Needs activation/macros.sql and activation/suppressed_emails.sql on the connection, and
-- marts.sales_handoff freshly created from its model.
INSERT INTO marts.sales_handoff BY NAME
SELECT
    g.buying_group_id,
    g.name AS group_name,
    g.solution_interest_id,
    g.account_key,
    g.account_name,
    g.completeness_score,
    g.weighted_completeness_score,
    g.engagement_score,
    g.stage,
    g.qualified_at,
    g.newly_qualified,
    m.person_key,
    m.role,
    m.assignment_source,
    m.person_engagement_score,
    r.weight AS role_weight,
    CASE WHEN NOT consent.suppressed THEN activation_normalised_email(p.work_email) END AS email,
    consent.suppressed AS email_suppressed,
    p.first_name,
    p.last_name,
    p.job_title,
    g.as_of
FROM marts.buying_groups AS g
JOIN marts.buying_group_members AS m ON m.buying_group_id = g.buying_group_id
JOIN b2b.persons AS p ON p.person_key = m.person_key
LEFT JOIN marts.buying_group_roles AS r
    ON r.buying_group_id = m.buying_group_id AND r.role = m.role
LEFT JOIN activation_suppressed_emails AS s
    ON s.email = activation_normalised_email(p.work_email)
CROSS JOIN LATERAL (
    SELECT activation_is_suppressed(
               p.is_unsubscribed, p.is_marketing_suspended, p.is_email_invalid, p.is_deleted)
           OR s.email IS NOT NULL AS suppressed
) AS consent
WHERE g.stage = 'sales_ready'
  AND m.is_removed = false
  AND p.is_deleted = false
ORDER BY g.buying_group_id, r.weight DESC NULLS LAST, m.role NULLS LAST, m.person_key;
