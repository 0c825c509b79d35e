-- Member counts, for the run's metadata: totals and what changed on this as_of.
SELECT
    count(*) FILTER (WHERE NOT is_removed) AS active,
    count(*) FILTER (WHERE is_removed) AS removed,
    count(*) FILTER (WHERE NOT is_removed AND added_at = CAST($as_of AS DATE)) AS added_this_run,
    count(*) FILTER (WHERE is_removed AND removed_at = CAST($as_of AS DATE)) AS removed_this_run
FROM marts.buying_group_members
