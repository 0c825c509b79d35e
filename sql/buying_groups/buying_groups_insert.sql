-- Current groups with their scores. From history up to this as_of (this run's row
-- included): created_at = first as_of the group existed; qualified_at = first as_of it was
-- sales_ready, kept even when it drops back; newly_qualified = it qualified on this as_of.
INSERT INTO marts.buying_groups (
    buying_group_id, name, solution_interest_id, account_key, account_name, member_count,
    interested_members, completeness_score, weighted_completeness_score, engagement_score,
    missing_roles, stage, qualified_at, created_at, as_of, newly_qualified
)
WITH milestones AS (
    SELECT
        buying_group_id,
        min(as_of) AS created_at,
        min(as_of) FILTER (WHERE stage = 'sales_ready') AS qualified_at
    FROM marts.buying_group_history
    WHERE as_of <= CAST($as_of AS DATE)
    GROUP BY buying_group_id
)
SELECT
    scores.buying_group_id,
    scores.name,
    scores.solution_interest_id,
    scores.account_key,
    scores.account_name,
    scores.member_count,
    scores.interested_members,
    scores.completeness_score,
    scores.weighted_completeness_score,
    scores.engagement_score,
    scores.missing_roles,
    scores.stage,
    milestones.qualified_at,
    milestones.created_at,
    CAST($as_of AS DATE),
    coalesce(milestones.qualified_at = CAST($as_of AS DATE), false)
FROM scoring_group_scores AS scores
JOIN milestones USING (buying_group_id)
