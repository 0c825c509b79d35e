-- Active members whose role differs, in groups that exist under both configurations
-- (from_role NULL: joins the group; to_role NULL: leaves it). Members of added or removed
-- groups are covered by the group change.
WITH both_groups AS (
    SELECT buying_group_id FROM baseline.buying_groups
    INTERSECT
    SELECT buying_group_id FROM marts.buying_groups
),
before AS (
    SELECT buying_group_id, person_key, role FROM baseline.buying_group_members
    WHERE NOT is_removed AND buying_group_id IN (SELECT buying_group_id FROM both_groups)
),
after AS (
    SELECT buying_group_id, person_key, role FROM marts.buying_group_members
    WHERE NOT is_removed AND buying_group_id IN (SELECT buying_group_id FROM both_groups)
)
SELECT buying_group_id, person_key, before.role AS from_role, after.role AS to_role
FROM before
FULL OUTER JOIN after USING (buying_group_id, person_key)
WHERE before.role IS DISTINCT FROM after.role
ORDER BY buying_group_id, person_key
