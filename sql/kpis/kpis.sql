-- The KPI rows of one as_of ($as_of) into temp table kpi_rows; the period is
-- ($as_of - $period_days, $as_of], the baseline period the same length just before it. Needs
-- kpi_interests, kpi_engagement_types (inputs.sql), kpi_journey_groups and the activation
-- macros (activation_is_suppressed). Counts are of target accounts: the accounts of the
-- interest's account audience (marts.account_audience_members).
CREATE OR REPLACE TEMP TABLE kpi_rows AS
WITH bounds AS (
    SELECT
        $as_of::DATE AS as_of,
        $as_of::DATE - $period_days::INTEGER AS period_after,           -- exclusive
        $as_of::DATE - 2 * $period_days::INTEGER AS baseline_after      -- exclusive
),
targets AS (
    SELECT DISTINCT i.solution_interest_id, m.account_key
    FROM kpi_interests AS i
    JOIN marts.account_audience_members AS m ON m.audience = i.account_audience_id
    WHERE m.account_key IS NOT NULL
),
target_counts AS (
    SELECT i.solution_interest_id, count(t.account_key) AS accounts
    FROM kpi_interests AS i
    LEFT JOIN targets AS t ON t.solution_interest_id = i.solution_interest_id
    GROUP BY i.solution_interest_id
),
-- awareness: target accounts with impressions > 0 in the period (reached companies matched to
-- accounts in b2b.ad_company_matches)
reached AS (
    SELECT t.solution_interest_id, t.account_key
    FROM targets AS t
    JOIN b2b.ad_company_matches AS m ON m.account_key = t.account_key
    JOIN b2b.ad_company_reach AS r ON lower(r.platform) = m.platform AND r.company_name = m.company_name
    CROSS JOIN bounds AS b
    WHERE r."date" > b.period_after AND r."date" <= b.as_of
    GROUP BY ALL
    HAVING sum(r.impressions) > 0
),
-- activities of the current persons of target accounts over the baseline and the period. The
-- target accounts' persons are materialised first: joined to the events they are the small side
-- (a fraction of all persons), where the planner would otherwise probe every event against all
-- persons and only then keep the target accounts.
target_persons AS MATERIALIZED (
    SELECT t.solution_interest_id, t.account_key, p.person_key
    FROM targets AS t
    JOIN b2b.persons AS p ON p.account_key = t.account_key AND NOT p.is_deleted
),
account_days AS (
    SELECT DISTINCT tp.solution_interest_id, tp.account_key, e.activity_type_id,
        -- on timestamps, not their dates: the same days, and a filter the scan can apply
        e."timestamp" >= CAST($as_of::DATE - $period_days::INTEGER + 1 AS TIMESTAMP) AS in_period
    FROM b2b.experience_events AS e
    JOIN target_persons AS tp ON tp.person_key = e.person_key
    WHERE e."timestamp" >= CAST($as_of::DATE - 2 * $period_days::INTEGER + 1 AS TIMESTAMP)
      AND e."timestamp" < CAST($as_of::DATE + 1 AS TIMESTAMP)
),
visits AS (
    SELECT solution_interest_id,
        count(DISTINCT account_key) FILTER (WHERE in_period) AS period_accounts,
        count(DISTINCT account_key) FILTER (WHERE NOT in_period) AS baseline_accounts
    FROM account_days WHERE activity_type_id = 1
    GROUP BY ALL
),
engaged AS (
    SELECT DISTINCT d.solution_interest_id, d.account_key
    FROM account_days AS d
    JOIN kpi_engagement_types AS w ON w.activity_type_id = d.activity_type_id
    WHERE d.in_period
),
-- targeted: the group is in one of the interest's LinkedIn files (companies: completeness
-- below 100; contacts: not sales_ready, with an active member who may be contacted) or the
-- account is in one of its journeys
contactable_groups AS (
    SELECT DISTINCT m.buying_group_id
    FROM marts.buying_group_members AS m
    JOIN b2b.persons AS p ON p.person_key = m.person_key
    WHERE NOT m.is_removed
      AND NOT activation_is_suppressed(p.is_unsubscribed, p.is_marketing_suspended, p.is_email_invalid, p.is_deleted)
),
targeted AS (
    SELECT g.solution_interest_id, g.account_key
    FROM marts.buying_groups AS g
    JOIN kpi_interests AS i ON i.solution_interest_id = g.solution_interest_id
    LEFT JOIN contactable_groups AS c ON c.buying_group_id = g.buying_group_id
    LEFT JOIN kpi_journey_groups AS j ON j.buying_group_id = g.buying_group_id
    WHERE (i.linkedin_target AND (g.completeness_score < 100 OR (g.stage <> 'sales_ready' AND c.buying_group_id IS NOT NULL)))
       OR j.buying_group_id IS NOT NULL
),
engaged_counts AS (
    SELECT e.solution_interest_id, count(*) AS engaged, count(t.account_key) AS engaged_targeted
    FROM engaged AS e
    LEFT JOIN targeted AS t ON t.solution_interest_id = e.solution_interest_id AND t.account_key = e.account_key
    GROUP BY ALL
),
-- time: contact roles added in the period to opportunities of target accounts (createdAt, else
-- the first updatedAt ingested), days since the opportunity's creation (0 at least)
roles_added AS (
    SELECT t.solution_interest_id,
        greatest(epoch(coalesce(op.created_at, op.first_seen_at)) - epoch(o.created_at), 0) / 86400.0 AS days
    FROM targets AS t
    JOIN b2b.opportunities AS o ON o.account_key = t.account_key AND NOT o.is_deleted
    JOIN b2b.opportunity_persons AS op ON op.opportunity_key = o.opportunity_key AND NOT op.is_deleted
    CROSS JOIN bounds AS b
    WHERE coalesce(op.created_at, op.first_seen_at)::DATE > b.period_after
      AND coalesce(op.created_at, op.first_seen_at)::DATE <= b.as_of
),
add_contact AS (
    SELECT solution_interest_id, median(days) AS days, count(*) AS roles FROM roles_added GROUP BY ALL
),
-- time: groups whose completeness first reached 100 on an as_of in the period
first_complete AS (
    SELECT h.buying_group_id, min(h.as_of) AS completed_on
    FROM marts.buying_group_history AS h
    WHERE h.completeness_score >= 100 AND h.as_of <= $as_of::DATE
    GROUP BY ALL
),
completed AS (
    SELECT g.solution_interest_id, median(date_diff('day', g.created_at, f.completed_on)) AS days, count(*) AS groups
    FROM marts.buying_groups AS g
    JOIN kpi_interests AS i ON i.solution_interest_id = g.solution_interest_id
    JOIN first_complete AS f ON f.buying_group_id = g.buying_group_id
    CROSS JOIN bounds AS b
    WHERE f.completed_on > b.period_after AND f.completed_on <= b.as_of
    GROUP BY ALL
),
per_interest AS (
    SELECT
        tc.solution_interest_id,
        tc.accounts,
        (SELECT count(*) FROM reached AS r WHERE r.solution_interest_id = tc.solution_interest_id) AS reached,
        coalesce(v.period_accounts, 0) AS visited,
        coalesce(v.baseline_accounts, 0) AS visited_before,
        coalesce(ec.engaged, 0) AS engaged,
        coalesce(ec.engaged_targeted, 0) AS engaged_targeted,
        ac.days AS add_contact_days,
        coalesce(ac.roles, 0) AS roles,
        cp.days AS complete_days,
        coalesce(cp.groups, 0) AS groups
    FROM target_counts AS tc
    LEFT JOIN visits AS v ON v.solution_interest_id = tc.solution_interest_id
    LEFT JOIN engaged_counts AS ec ON ec.solution_interest_id = tc.solution_interest_id
    LEFT JOIN add_contact AS ac ON ac.solution_interest_id = tc.solution_interest_id
    LEFT JOIN completed AS cp ON cp.solution_interest_id = tc.solution_interest_id
)
SELECT b.as_of, p.solution_interest_id, k.kpi, k.value, k.numerator, k.denominator,
    CASE WHEN k.kpi = 'baseline_visit_rate' THEN b.baseline_after ELSE b.period_after END + 1 AS period_start,
    CASE WHEN k.kpi = 'baseline_visit_rate' THEN b.period_after ELSE b.as_of END AS period_end
FROM per_interest AS p
CROSS JOIN bounds AS b
CROSS JOIN LATERAL (
    VALUES
        ('reached_accounts', p.reached::DOUBLE, p.reached, p.accounts),
        ('visit_rate', 100.0 * p.visited / nullif(p.accounts, 0), p.visited, p.accounts),
        ('baseline_visit_rate', 100.0 * p.visited_before / nullif(p.accounts, 0), p.visited_before, p.accounts),
        ('awareness_lift', 100.0 * (p.visited - p.visited_before) / nullif(p.accounts, 0), NULL, NULL),
        ('engaged_accounts', p.engaged::DOUBLE, p.engaged, p.accounts),
        ('engaged_targeted_share', 100.0 * p.engaged_targeted / nullif(p.engaged, 0), p.engaged_targeted, p.engaged),
        ('days_to_add_contact', p.add_contact_days, NULL, p.roles),
        ('days_to_complete', p.complete_days::DOUBLE, NULL, p.groups)
) AS k(kpi, value, numerator, denominator);
