-- Groups by stage, for the run's metadata.
SELECT stage, count(*) AS groups, count(*) FILTER (WHERE newly_qualified) AS newly_qualified
FROM marts.buying_groups
GROUP BY stage
