-- Problems in the KPI history of $as_of, counted per kind (0 everywhere = the check passes):
-- values out of their range, numerators above denominators, a rate that is not
-- 100 * numerator / denominator, and denominators that disagree within one interest (every
-- account count is out of the same target accounts; the targeted share is out of the engaged
-- accounts); cost per lead that is not spend / new_leads (empty exactly when no lead).
WITH k AS (SELECT * FROM marts.kpis WHERE as_of = $as_of::DATE),
c AS (SELECT * FROM marts.kpi_cost_per_lead WHERE as_of = $as_of::DATE),
per_interest AS (
    SELECT solution_interest_id,
        count(DISTINCT denominator) FILTER (
            WHERE kpi IN ('reached_accounts', 'visit_rate', 'baseline_visit_rate', 'engaged_accounts')) AS target_counts,
        any_value(denominator) FILTER (WHERE kpi = 'engaged_targeted_share') AS share_of,
        any_value(value) FILTER (WHERE kpi = 'engaged_accounts') AS engaged
    FROM k GROUP BY ALL
)
SELECT
    (SELECT count(*) FROM k WHERE
        (kpi IN ('visit_rate', 'baseline_visit_rate', 'engaged_targeted_share') AND NOT value BETWEEN 0 AND 100)
        OR (kpi = 'awareness_lift' AND NOT value BETWEEN -100 AND 100)
        OR (kpi IN ('reached_accounts', 'engaged_accounts', 'days_to_add_contact', 'days_to_complete') AND value < 0)
    ) AS values_out_of_range,
    (SELECT count(*) FROM k WHERE numerator > denominator OR numerator < 0 OR denominator < 0) AS numerator_above_denominator,
    (SELECT count(*) FROM k WHERE kpi IN ('visit_rate', 'baseline_visit_rate', 'engaged_targeted_share')
        AND value IS DISTINCT FROM 100.0 * numerator / nullif(denominator, 0)) AS rates_not_matching,
    (SELECT count(*) FROM per_interest WHERE target_counts <> 1 OR share_of IS DISTINCT FROM engaged::BIGINT)
        AS inconsistent_denominators,
    (SELECT count(*) FROM c WHERE spend < 0 OR new_leads < 0
        OR cost_per_lead IS DISTINCT FROM spend / nullif(new_leads, 0)) AS cost_rows_not_matching;
