-- One buying group with the thresholds it was staged against (work.solution_interests holds
-- what the scoring run used).
SELECT
    groups.buying_group_id,
    groups.name,
    groups.solution_interest_id,
    interests.name AS solution_interest_name,
    groups.account_key,
    groups.account_name,
    groups.member_count,
    groups.interested_members,
    groups.completeness_score,
    groups.weighted_completeness_score,
    groups.engagement_score,
    groups.missing_roles,
    groups.stage,
    groups.qualified_at,
    groups.created_at,
    groups.as_of,
    interests.min_completeness,
    interests.min_engagement
FROM marts.buying_groups AS groups
LEFT JOIN work.solution_interests AS interests USING (solution_interest_id)
WHERE groups.buying_group_id = $buying_group_id
