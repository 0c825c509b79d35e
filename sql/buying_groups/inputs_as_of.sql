-- The as_of dates the published engagement and audiences were computed for, and whether
-- current persons exist: scoring refuses stale or missing inputs instead of silently scoring
-- zeros or yesterday's audiences.
SELECT
    (SELECT list(DISTINCT as_of ORDER BY as_of) FROM marts.person_engagement) AS engagement_as_of,
    (SELECT list(DISTINCT as_of ORDER BY as_of) FROM marts.account_audience_members) AS audiences_as_of,
    (SELECT count(*) FROM b2b.persons WHERE NOT is_deleted) AS current_persons
