-- The members of one group (active first, then removed) with the reason for each.
SELECT
    members.person_key,
    nullif(concat_ws(' ', persons.first_name, persons.last_name), '') AS person_name,
    persons.job_title,
    members.role,
    members.assignment_source,
    members.is_removed,
    members.added_at,
    members.removed_at,
    members.person_engagement_score,
    members.has_interest,
    reasons.reason
FROM marts.buying_group_members AS members
LEFT JOIN marts.buying_group_member_reasons AS reasons USING (buying_group_id, person_key)
LEFT JOIN b2b.persons AS persons USING (person_key)
LEFT JOIN marts.buying_group_roles AS roles
    ON roles.buying_group_id = members.buying_group_id AND roles.role = members.role
WHERE members.buying_group_id = $buying_group_id
ORDER BY members.is_removed, roles.role_order NULLS LAST, members.person_engagement_score DESC, members.person_key
