-- Persons whose raw_score is not exactly the sum of their contributions (added in the same
-- order as the score was), and contributions of persons without a score row. Both must be 0.
WITH sums AS (
    SELECT person_key,
           list_sum(list_transform(list_sort(list({'type': activity_type_id, 'points': points})),
                                   contribution -> contribution.points)) AS points
    FROM marts.person_engagement_contributions
    GROUP BY person_key
)
SELECT
    count(*) FILTER (WHERE engagement.person_key IS NOT NULL
                       AND engagement.raw_score IS DISTINCT FROM coalesce(sums.points, 0)) AS mismatched_persons,
    count(*) FILTER (WHERE engagement.person_key IS NULL) AS contributions_without_person,
    count(sums.person_key) AS persons_with_contributions
FROM marts.person_engagement AS engagement
FULL OUTER JOIN sums USING (person_key)
