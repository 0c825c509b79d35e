-- One sales alert per buying group alerted on as_of: the group, its scores and stages, the
-- recipients, and its top 4 active members by person engagement with their last 2
-- activities. A suppressed member's email is left out (as in the sales hand-off).
WITH alerts AS (
    SELECT buying_group_id, list(DISTINCT journey_id ORDER BY journey_id) AS journeys,
           list_sort(list_distinct(flatten(list(CAST(payload -> 'to' AS VARCHAR[]))))) AS recipients
    FROM marts.journey_actions
    WHERE as_of = CAST($as_of AS DATE) AND action_type = 'sales_alert'
    GROUP BY buying_group_id
),
members AS (
    SELECT m.buying_group_id, m.person_key, m.role, m.person_engagement_score, p.first_name, p.last_name,
           p.job_title,
           CASE WHEN NOT activation_is_suppressed(p.is_unsubscribed, p.is_marketing_suspended,
                                                  p.is_email_invalid, p.is_deleted)
                     AND NOT EXISTS (SELECT 1 FROM activation_suppressed_emails AS s
                                     WHERE s.email = activation_normalised_email(p.work_email))
                THEN activation_normalised_email(p.work_email) END AS email
    FROM alerts AS al
    JOIN marts.buying_group_members AS m ON m.buying_group_id = al.buying_group_id AND NOT m.is_removed
    JOIN b2b.persons AS p ON p.person_key = m.person_key AND NOT p.is_deleted
    QUALIFY row_number() OVER (PARTITION BY m.buying_group_id
                               ORDER BY m.person_engagement_score DESC, m.person_key) <= 4
),
recent AS (
    SELECT mb.buying_group_id, mb.person_key,
           list({'date': CAST(e."timestamp" AS DATE), 'activity_type_id': e.activity_type_id,
                 'event_type': e.event_type, 'detail': e.primary_attribute_value}
                ORDER BY e."timestamp" DESC, e.event_id) AS activities
    FROM members AS mb
    JOIN b2b.experience_events AS e ON e.person_key = mb.person_key
    WHERE CAST(e."timestamp" AS DATE) <= CAST($as_of AS DATE)
    GROUP BY ALL
)
SELECT g.buying_group_id, g.name AS group_name, g.account_key, g.account_name, g.solution_interest_id,
       g.completeness_score, g.weighted_completeness_score,
       g.engagement_score, g.stage, g.lifecycle_stage, g.missing_roles, al.journeys, al.recipients,
       coalesce((
           SELECT list({'name': trim(concat_ws(' ', mb.first_name, mb.last_name)), 'title': mb.job_title,
                        'role': mb.role, 'person_engagement_score': mb.person_engagement_score,
                        'email': mb.email, 'last_activities': coalesce(r.activities[1:2], [])}
                       ORDER BY mb.person_engagement_score DESC, mb.person_key)
           FROM members AS mb
           LEFT JOIN recent AS r ON r.buying_group_id = mb.buying_group_id AND r.person_key = mb.person_key
           WHERE mb.buying_group_id = g.buying_group_id), []) AS top_members
FROM alerts AS al
JOIN marts.buying_groups AS g ON g.buying_group_id = al.buying_group_id
ORDER BY g.buying_group_id;
