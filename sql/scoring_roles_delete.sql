-- buying_group_roles is a snapshot of the current groups.
DELETE FROM marts.buying_group_roles
