-- sales_handoff.csv: the table as a seller reads it. Scores are stored unrounded and shown as
-- whole numbers; the list of missing roles becomes text. Rows in the table's own order:
-- group, then its most important roles first.
SELECT * REPLACE (
    round(completeness_score)::INTEGER AS completeness_score,
    round(weighted_completeness_score)::INTEGER AS weighted_completeness_score,
    round(engagement_score)::INTEGER AS engagement_score,
    round(person_engagement_score)::INTEGER AS person_engagement_score,
    array_to_string(missing_roles, '; ') AS missing_roles
)
FROM marts.sales_handoff
ORDER BY buying_group_id, role_weight DESC NULLS LAST, role NULLS LAST, person_key;
