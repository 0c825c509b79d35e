-- Scores and stage of every current group as of this run (SPEC §5).
-- Completeness over the required roles, or over all roles when none is required:
--   completeness_score = mean rc; weighted = sum(rc * weight) / sum(weight);
--   missing_roles = required roles with rc < 100, in template order.
-- Engagement: group raw = sum over roles present (>= 1 active member) of
--   (sum of the members' person scores in the role) * weight / (sum of present roles'
--   weights); engagement_score = 100 * sqrt(raw) / max over groups of sqrt(raw), written as
--   100 * (sqrt(raw) / max) so the top group is exactly 100. No members -> 0.
-- Stage: sales_ready, else complete, else incomplete.
-- Float sums are ordered (sum(x ORDER BY key)): a parallel sum in varying order changes the
-- last bits, and a re-run with the same inputs must reproduce the marts exactly.
CREATE OR REPLACE TEMP TABLE scoring_group_scores AS
WITH roles AS (
    SELECT
        roles.*,
        roles.required OR NOT bool_or(roles.required) OVER (PARTITION BY roles.buying_group_id)
            AS counts_for_completeness
    FROM marts.buying_group_roles AS roles
),
completeness AS (
    SELECT
        buying_group_id,
        avg(role_completeness ORDER BY role_order) FILTER (WHERE counts_for_completeness) AS completeness_score,
        sum(role_completeness * weight ORDER BY role_order) FILTER (WHERE counts_for_completeness)
            / nullif(sum(weight) FILTER (WHERE counts_for_completeness), 0)
            AS weighted_completeness_score,
        list(role ORDER BY role_order) FILTER (WHERE required AND role_completeness < 100)
            AS missing_roles
    FROM roles
    GROUP BY buying_group_id
),
active_members AS (
    SELECT * FROM marts.buying_group_members WHERE NOT is_removed
),
member_counts AS (
    SELECT
        buying_group_id,
        count(*) AS member_count,
        count(*) FILTER (WHERE has_interest) AS interested_members
    FROM active_members
    GROUP BY buying_group_id
),
present_roles AS (
    SELECT
        members.buying_group_id,
        members.role,
        sum(members.person_engagement_score ORDER BY members.person_key) AS role_engagement,
        any_value(roles.weight) AS weight
    FROM active_members AS members
    JOIN marts.buying_group_roles AS roles
        ON roles.buying_group_id = members.buying_group_id AND roles.role = members.role
    GROUP BY members.buying_group_id, members.role
),
group_raw AS (
    SELECT
        buying_group_id,
        sum(role_engagement * weight ORDER BY role) / nullif(sum(weight), 0) AS engagement_raw
    FROM present_roles
    GROUP BY buying_group_id
),
scored AS (
    SELECT
        groups.*,
        coalesce(member_counts.member_count, 0) AS member_count,
        coalesce(member_counts.interested_members, 0) AS interested_members,
        coalesce(completeness.completeness_score, 0) AS completeness_score,
        coalesce(completeness.weighted_completeness_score, 0) AS weighted_completeness_score,
        coalesce(completeness.missing_roles, []::VARCHAR[]) AS missing_roles,
        sqrt(greatest(coalesce(group_raw.engagement_raw, 0), 0)) AS sqrt_engagement_raw
    FROM scoring_groups AS groups
    LEFT JOIN completeness USING (buying_group_id)
    LEFT JOIN member_counts USING (buying_group_id)
    LEFT JOIN group_raw USING (buying_group_id)
),
normalised AS (
    SELECT
        scored.*,
        CASE WHEN max(sqrt_engagement_raw) OVER () > 0
             THEN 100 * (sqrt_engagement_raw / max(sqrt_engagement_raw) OVER ())
             ELSE 0 END AS engagement_score
    FROM scored
)
SELECT
    normalised.*,
    CASE
        WHEN completeness_score >= min_completeness AND engagement_score >= min_engagement
            THEN 'sales_ready'
        WHEN completeness_score >= 100 THEN 'complete'
        ELSE 'incomplete'
    END AS stage
FROM normalised
