-- Report: buying groups per solution interest and stage (latest scoring).
SELECT solution_interest_id, stage, count(*) AS groups FROM marts.buying_groups GROUP BY ALL ORDER BY ALL;
