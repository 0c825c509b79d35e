-- Person engagement as of $as_of (SPEC §5): raw_score is the sum of the person's rows in
-- marts.person_engagement_contributions (written just before, in the same transaction), in
-- activity-type order so the check that re-adds them gets the same float exactly. The order
-- comes from sorting each person's few contributions as a list: an ordered aggregate
-- (`sum(points ORDER BY ...)`) sorted all of them, 5x slower and at 10M leads over the
-- warehouse's memory limit. Every current person gets a row (0 without activity).
-- Score = 100 * sqrt(raw) / max sqrt(raw); written as 100 * (sqrt(raw) / max) so the top
-- person is exactly 100 (x / x = 1 exactly in IEEE arithmetic; 100 * x / x may not be).
INSERT INTO marts.person_engagement (person_key, raw_score, person_engagement_score, as_of)
WITH current_persons AS (
    SELECT person_key FROM b2b.persons WHERE NOT is_deleted
),
raw_scores AS (
    SELECT person_key,
           list_sum(list_transform(list_sort(list({'type': activity_type_id, 'points': points})),
                                   contribution -> contribution.points)) AS raw_score
    FROM marts.person_engagement_contributions
    GROUP BY person_key
),
scored AS (
    SELECT
        current_persons.person_key,
        CAST(coalesce(raw_scores.raw_score, 0) AS DOUBLE) AS raw_score,
        -- a negative weight is a config error; never let it produce NaN scores
        sqrt(greatest(coalesce(raw_scores.raw_score, 0), 0)) AS sqrt_raw
    FROM current_persons
    LEFT JOIN raw_scores USING (person_key)
)
SELECT
    person_key,
    raw_score,
    -- the top person's sqrt(raw) as a scalar, not a window over every person
    CASE WHEN (SELECT max(sqrt_raw) FROM scored) > 0
         THEN 100 * (sqrt_raw / (SELECT max(sqrt_raw) FROM scored))
         ELSE 0 END AS person_engagement_score,
    CAST($as_of AS DATE) AS as_of
FROM scored
