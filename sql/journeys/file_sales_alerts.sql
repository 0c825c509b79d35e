-- One sales alert per buying group alerted on as_of, rendered here as the two files' text:
-- the group, its scores and stages, the recipients, and its top 4 active members by person
-- engagement with their last 2 activities. A suppressed member's email is left out (as in the
-- sales hand-off). Scores are shown to one decimal in the JSON and as whole numbers (rounded
-- half to even) in the Markdown.

-- A Markdown table cell or list value: one line, pipes escaped.
CREATE OR REPLACE TEMP MACRO journeys_md(value) AS
    trim(replace(regexp_replace(coalesce(CAST(value AS VARCHAR), ''), '[[:space:]\x{85}\x{2028}\x{2029}]+', ' ', 'g'),
                 '|', '\|'));

WITH alerts AS (
    SELECT buying_group_id, list(DISTINCT journey_id ORDER BY journey_id) AS journeys,
           list_sort(list_distinct(flatten(list(CAST(payload -> 'to' AS VARCHAR[]))))) AS recipients
    FROM marts.journey_actions
    WHERE as_of = CAST($as_of AS DATE) AND action_type = 'sales_alert'
    GROUP BY buying_group_id
),
members AS (
    SELECT m.buying_group_id, m.person_key, m.role, m.person_engagement_score AS engagement,
           round(m.person_engagement_score, 1) AS score,
           trim(concat_ws(' ', p.first_name, p.last_name)) AS name, p.job_title AS title,
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
-- the last 2 activities of each member: newest first (on the same second, the higher event id)
recent AS (
    SELECT e.person_key,
           max_by({'date': CAST(e."timestamp" AS DATE), 'activity_type_id': e.activity_type_id,
                   'event_type': e.event_type, 'detail': e.primary_attribute_value},
                  (e."timestamp", e.event_id), 2) AS activities
    FROM b2b.experience_events AS e
    WHERE e.person_key IN (SELECT person_key FROM members) AND CAST(e."timestamp" AS DATE) <= CAST($as_of AS DATE)
    GROUP BY e.person_key
),
top_members AS (
    SELECT mb.buying_group_id,
           list({'name': mb.name, 'title': mb.title, 'role': mb.role, 'person_engagement_score': mb.score,
                 'email': mb.email, 'last_activities': coalesce(r.activities, [])}
                ORDER BY mb.engagement DESC, mb.person_key) AS top_members,
           list('| ' || concat_ws(' | ', journeys_md(mb.name), journeys_md(mb.title), journeys_md(mb.role),
                                  journeys_md(CAST(round_even(mb.score, 0) AS BIGINT)),
                                  journeys_md(coalesce(mb.email, '(suppressed)')),
                                  journeys_md(array_to_string(list_transform(coalesce(r.activities, []), a ->
                                      trim(concat_ws(' ', a.date, coalesce(nullif(a.event_type, ''), CAST(a.activity_type_id AS VARCHAR)),
                                                     coalesce(a.detail, '')))), '; '))) || ' |'
                ORDER BY mb.engagement DESC, mb.person_key) AS member_lines
    FROM members AS mb
    LEFT JOIN recent AS r ON r.person_key = mb.person_key
    GROUP BY mb.buying_group_id
),
alert AS (
    SELECT g.buying_group_id, g.name AS group_name, g.account_key, g.account_name, g.solution_interest_id,
           round(g.completeness_score, 1) AS completeness_score,
           round(g.weighted_completeness_score, 1) AS weighted_completeness_score,
           round(g.engagement_score, 1) AS engagement_score, g.stage, g.lifecycle_stage, g.missing_roles,
           al.journeys, al.recipients, coalesce(t.top_members, []) AS top_members,
           $interest_names[list_position($interest_ids, g.solution_interest_id)] AS solution_interest_name,
           coalesce(t.member_lines, []) AS member_lines
    FROM alerts AS al
    JOIN marts.buying_groups AS g ON g.buying_group_id = al.buying_group_id
    LEFT JOIN top_members AS t ON t.buying_group_id = al.buying_group_id
)
SELECT buying_group_id,
       to_json(struct_pack(buying_group_id, group_name, account_key, account_name, solution_interest_id,
                           completeness_score, weighted_completeness_score, engagement_score, stage,
                           lifecycle_stage, missing_roles, journeys, recipients, top_members,
                           solution_interest_name)) || chr(10) AS alert_json,
       array_to_string([
           '# Sales alert: ' || journeys_md(group_name),
           '',
           '- Account: ' || journeys_md(account_name) || ' (`' || journeys_md(account_key) || '`)',
           '- Solution interest: ' || journeys_md(coalesce(solution_interest_name, solution_interest_id)),
           '- Completeness: ' || CAST(round_even(completeness_score, 0) AS BIGINT)
               || ' (weighted ' || CAST(round_even(weighted_completeness_score, 0) AS BIGINT) || ')',
           '- Engagement: ' || CAST(round_even(engagement_score, 0) AS BIGINT),
           '- Stage: ' || journeys_md(stage) || '; lifecycle stage: ' || journeys_md(lifecycle_stage),
           '- Missing roles: ' || journeys_md(coalesce(nullif(array_to_string(missing_roles, ', '), ''), 'none')),
           '- Recipients: ' || journeys_md(array_to_string(recipients, ', ')),
           '- Journeys: ' || journeys_md(array_to_string(journeys, ', ')) || '; as of ' || CAST($as_of AS DATE),
           '',
           '## Top members by engagement',
           '',
           '| name | title | role | score | email | last activities |',
           '|---|---|---|---|---|---|',
       ] || member_lines, chr(10)) || chr(10) AS alert_markdown
FROM alert
ORDER BY buying_group_id;
