-- Each template role of one group: what it requires and what it has, in template order.
SELECT role, weight, required, members_required, members_assigned, role_completeness
FROM marts.buying_group_roles
WHERE buying_group_id = $buying_group_id
ORDER BY role_order
