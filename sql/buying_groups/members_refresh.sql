-- Members assigned this run that are already in the table: take the current role, source,
-- engagement and interest; a removed member who qualifies again is re-activated. added_at
-- is kept (the first time the person joined the group).
UPDATE marts.buying_group_members AS members
SET role = assignments.role,
    assignment_source = assignments.assignment_source,
    person_engagement_score = assignments.person_engagement_score,
    has_interest = assignments.has_interest,
    is_removed = false,
    removed_at = NULL
FROM scoring_assignments AS assignments
WHERE members.buying_group_id = assignments.buying_group_id
  AND members.person_key = assignments.person_key
