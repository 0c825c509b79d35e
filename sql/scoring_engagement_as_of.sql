-- The as_of dates person_engagement was computed for, and whether current persons exist:
-- scoring refuses stale or missing engagement instead of silently scoring zeros.
SELECT
    (SELECT list(DISTINCT as_of ORDER BY as_of) FROM marts.person_engagement) AS engagement_as_of,
    (SELECT count(*) FROM b2b.persons WHERE NOT is_deleted) AS current_persons
