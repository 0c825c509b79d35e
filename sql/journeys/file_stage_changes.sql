-- stage_changes.csv of one day: every stage move requested or made (entry rows included),
-- accepted or not, in order.
SELECT buying_group_id, as_of, seq, from_stage, to_stage, source, journey_id, node_id, accepted, reason
FROM marts.buying_group_stage_history
WHERE as_of = CAST($as_of AS DATE)
ORDER BY buying_group_id, seq;
