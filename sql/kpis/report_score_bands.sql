-- Report: buying groups per solution interest and 10-point band of one score ($score:
-- completeness_score or engagement_score), latest scoring; 100 is its own band.
WITH scores AS (
    SELECT solution_interest_id,
        CASE $score WHEN 'completeness_score' THEN completeness_score ELSE engagement_score END AS score
    FROM marts.buying_groups
)
SELECT solution_interest_id,
    CASE WHEN score >= 100 THEN '100' ELSE lpad((floor(score / 10) * 10)::INTEGER::VARCHAR, 2, '0') || '-'
        || ((floor(score / 10) * 10)::INTEGER + 9)::VARCHAR END AS band,
    count(*) AS groups
FROM scores
GROUP BY ALL
ORDER BY solution_interest_id, band;
