-- Buying groups per completeness band, for the asset's metadata: every band listed (an empty
-- band as 0), in score order (band_order), never in the text order of the labels.
WITH bands(band_order, band) AS (
    VALUES (1, '0-39'), (2, '40-69'), (3, '70-99'), (4, '100')
),
counted AS (
    SELECT CASE WHEN completeness_score >= 100 THEN 4
                WHEN completeness_score >= 70 THEN 3
                WHEN completeness_score >= 40 THEN 2
                ELSE 1 END AS band_order,
           count(*) AS groups
    FROM marts.buying_groups
    GROUP BY ALL
)
SELECT band, coalesce(groups, 0) AS groups
FROM bands LEFT JOIN counted USING (band_order)
ORDER BY band_order;
