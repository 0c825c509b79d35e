-- The engagement derivation of one group: per role present (>= 1 active member), the sum of
-- its members' person scores and the role's weight (group raw = sum(sum * weight) / sum(weight)).
SELECT
    members.role,
    count(*) AS members,
    sum(members.person_engagement_score ORDER BY members.person_key) AS person_scores,
    any_value(roles.weight) AS weight
FROM marts.buying_group_members AS members
JOIN marts.buying_group_roles AS roles USING (buying_group_id, role)
WHERE members.buying_group_id = $buying_group_id AND NOT members.is_removed
GROUP BY members.role, roles.role_order
ORDER BY roles.role_order
