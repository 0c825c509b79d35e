-- Manual overrides that could not apply, by reason (see scoring_overrides.sql).
SELECT ignored_reason, count(*) AS overrides
FROM scoring_overrides
WHERE ignored_reason IS NOT NULL
GROUP BY ignored_reason
ORDER BY ignored_reason
