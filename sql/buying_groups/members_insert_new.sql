-- First-time members of a group.
INSERT INTO marts.buying_group_members (
    buying_group_id, person_key, role, assignment_source, person_engagement_score,
    has_interest, is_removed, added_at, removed_at
)
SELECT
    assignments.buying_group_id,
    assignments.person_key,
    assignments.role,
    assignments.assignment_source,
    assignments.person_engagement_score,
    assignments.has_interest,
    false,
    CAST($as_of AS DATE),
    NULL
FROM scoring_assignments AS assignments
ANTI JOIN marts.buying_group_members AS members
    ON members.buying_group_id = assignments.buying_group_id
   AND members.person_key = assignments.person_key
