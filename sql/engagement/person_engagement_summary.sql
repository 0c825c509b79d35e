-- Counts for the run's metadata.
SELECT
    count(*) AS persons,
    count(*) FILTER (WHERE raw_score > 0) AS persons_with_activity,
    coalesce(max(raw_score), 0) AS max_raw_score
FROM marts.person_engagement
