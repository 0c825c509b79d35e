-- buying_groups is a snapshot of the groups existing as of the latest run.
DELETE FROM marts.buying_groups
