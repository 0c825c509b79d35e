-- Re-run the latest day: back to the state before it, and that day's rows removed, so the
-- day is recomputed from scratch (no action is ever duplicated).
DELETE FROM marts.journey_state;
INSERT INTO marts.journey_state SELECT * FROM journeys.state_before_last_run;
DELETE FROM marts.journey_log WHERE as_of = CAST($as_of AS DATE);
DELETE FROM marts.journey_actions WHERE as_of = CAST($as_of AS DATE);
DELETE FROM marts.journey_node_counts WHERE as_of = CAST($as_of AS DATE);
DELETE FROM marts.buying_group_stage_history WHERE as_of = CAST($as_of AS DATE);
