-- What makes up each person's raw engagement as of $as_of (SPEC §5): over the UTC days of the
-- window (as_of - window_days, as_of], per current person and weighted activity type, the days
-- with activity, the sum of min(count that day, daily_cap) and that sum times the type's
-- weight. marts.person_engagement sums these points, so the two cannot disagree.
INSERT INTO marts.person_engagement_contributions (
    person_key, activity_type_id, days_active, capped_count, points, as_of
)
WITH
-- Aggregated before the join with current persons: the join then sees one row per person,
-- type and day instead of every event of the window.
daily_counts AS (
    SELECT
        events.person_key,
        events.activity_type_id,
        CAST(events."timestamp" AS DATE) AS activity_date,   -- timestamps are UTC wall-clock
        count(*) AS events_that_day
    FROM b2b.experience_events AS events
    -- a type without a weight adds nothing: leaving its events out skips a third of the
    -- window's rows
    SEMI JOIN work.engagement_weights AS weighted USING (activity_type_id)
    -- the days (as_of - window_days, as_of] as a timestamp range, which the scan can prune
    WHERE events."timestamp" >= CAST(CAST($as_of AS DATE) - CAST($window_days AS INTEGER) + 1 AS TIMESTAMP)
      AND events."timestamp" < CAST(CAST($as_of AS DATE) + 1 AS TIMESTAMP)
    GROUP BY ALL
),
per_type AS (
    SELECT
        person_key,
        activity_type_id,
        count(*) AS days_active,
        sum(least(events_that_day, CAST($daily_cap AS BIGINT))) AS capped_count
    FROM daily_counts
    SEMI JOIN b2b.persons AS persons
        ON persons.person_key = daily_counts.person_key AND NOT persons.is_deleted
    GROUP BY person_key, activity_type_id
)
SELECT
    per_type.person_key,
    per_type.activity_type_id,
    CAST(per_type.days_active AS INTEGER),
    CAST(per_type.capped_count AS BIGINT),
    per_type.capped_count * weights.weight AS points,
    CAST($as_of AS DATE)
FROM per_type
JOIN work.engagement_weights AS weights USING (activity_type_id)
