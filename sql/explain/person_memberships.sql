-- The groups one person is (or was) a member of, with the reason and the group's stage.
SELECT
    members.buying_group_id,
    groups.name AS group_name,
    groups.stage,
    members.role,
    members.assignment_source,
    members.is_removed,
    members.added_at,
    members.removed_at,
    members.person_engagement_score,
    reasons.reason
FROM marts.buying_group_members AS members
LEFT JOIN marts.buying_groups AS groups USING (buying_group_id)
LEFT JOIN marts.buying_group_member_reasons AS reasons USING (buying_group_id, person_key)
WHERE members.person_key = $person_key
ORDER BY members.is_removed, members.buying_group_id
