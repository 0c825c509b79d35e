INSERT INTO marts.buying_group_history (buying_group_id, as_of, completeness_score, engagement_score, stage)
SELECT buying_group_id, CAST($as_of AS DATE), completeness_score, engagement_score, stage
FROM scoring_group_scores
