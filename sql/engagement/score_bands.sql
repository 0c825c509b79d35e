-- Persons per engagement score band, for the asset's metadata: every band listed (an empty
-- band as 0), in score order (band_order), never in the text order of the labels.
WITH bands(band_order, band) AS (
    VALUES (1, '0'), (2, '1-24'), (3, '25-49'), (4, '50-74'), (5, '75-100')
),
counted AS (
    SELECT CASE WHEN person_engagement_score = 0 THEN 1
                WHEN person_engagement_score < 25 THEN 2
                WHEN person_engagement_score < 50 THEN 3
                WHEN person_engagement_score < 75 THEN 4
                ELSE 5 END AS band_order,
           count(*) AS persons
    FROM marts.person_engagement
    GROUP BY ALL
)
SELECT band, coalesce(persons, 0) AS persons
FROM bands LEFT JOIN counted USING (band_order)
ORDER BY band_order;
