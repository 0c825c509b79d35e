-- Apply one round's decisions: log them, move the accounts, and mark those that reached a
-- new node as pending for the next round (arriving at wait/listen logs `waiting`).
INSERT INTO jw_log
SELECT journey_id, account_key, entry_number, $round, 90, node_id, event, detail
FROM jw_moves WHERE event IS NOT NULL;
INSERT INTO jw_log
SELECT journey_id, account_key, entry_number, $round, 95, node_id,
       CASE WHEN target = 'exit' THEN 'exited' ELSE 'completed' END, leave_detail
FROM jw_moves WHERE target IS NULL OR target = 'exit';
INSERT INTO jw_log
SELECT m.journey_id, m.account_key, m.entry_number, $round, 95, m.target, 'entered', json_object('from', m.node_id)
FROM jw_moves AS m WHERE m.target <> 'exit';
INSERT INTO jw_log
SELECT m.journey_id, m.account_key, m.entry_number, $round, 96, m.target, 'waiting', NULL
FROM jw_moves AS m
JOIN jw_nodes AS n ON n.journey_id = m.journey_id AND n.node_id = m.target
WHERE n.node_type IN ('wait', 'listen');
-- Round 0 (accounts leaving before the rounds) keeps the others pending for round 1.
UPDATE jw_pos SET pending = false WHERE pending AND $round > 0;
UPDATE jw_pos AS p SET
    node_id = CASE WHEN m.target IS NULL OR m.target = 'exit' THEN p.node_id ELSE m.target END,
    node_entered_on = CASE WHEN m.target IS NULL OR m.target = 'exit' THEN p.node_entered_on
                           ELSE CAST($as_of AS DATE) END,
    status = CASE WHEN m.target IS NULL THEN 'completed' WHEN m.target = 'exit' THEN 'exited' ELSE 'active' END,
    left_on = CASE WHEN m.target IS NULL OR m.target = 'exit' THEN CAST($as_of AS DATE) END,
    pending = m.target IS NOT NULL AND m.target <> 'exit'
FROM jw_moves AS m
WHERE m.journey_id = p.journey_id AND m.account_key = p.account_key AND m.entry_number = p.entry_number;
DELETE FROM jw_moves;
