-- update_stage for the accounts at one action node: a move the stage model allows changes
-- the group's lifecycle stage (history row, action); a disallowed move is recorded as not
-- accepted and logged `ignored` with the reason; a move to the current stage changes nothing.
CREATE OR REPLACE TEMP TABLE jw_stage_requests AS
SELECT p.journey_id, p.account_key, p.buying_group_id, p.entry_number, p.node_id, st.stage AS from_stage,
       CASE WHEN st.stage = $stage THEN 'same'
            WHEN EXISTS (SELECT 1 FROM jw_transitions AS t WHERE t.from_stage = st.stage AND t.to_stage = $stage)
            THEN 'accepted' ELSE 'ignored' END AS outcome
FROM jw_pos AS p
LEFT JOIN jw_stage AS st ON st.buying_group_id = p.buying_group_id
WHERE p.journey_id = $journey_id AND p.node_id = $node_id AND p.pending;
INSERT INTO marts.buying_group_stage_history
SELECT buying_group_id, CAST($as_of AS DATE), $seq, from_stage, $stage, 'journey', journey_id, node_id,
       outcome = 'accepted',
       CASE WHEN outcome = 'ignored'
            THEN 'the stage model does not allow ' || coalesce(from_stage, '(no stage)') || ' -> ' || $stage END
FROM jw_stage_requests WHERE outcome <> 'same';
INSERT INTO marts.journey_actions
SELECT sha256(concat_ws('|', journey_id, account_key, entry_number, node_id, CAST($as_of AS DATE), $action_index, '')),
       CAST($as_of AS DATE), journey_id, account_key, buying_group_id, entry_number, node_id, $action_index, $seq,
       'update_stage', $stage, NULL, json_object('from_stage', from_stage, 'to_stage', $stage)
FROM jw_stage_requests WHERE outcome = 'accepted';
INSERT INTO jw_log
SELECT journey_id, account_key, entry_number, $round, 10 + $action_index, node_id,
       CASE WHEN outcome = 'ignored' THEN 'ignored' ELSE 'action' END,
       json_object('action', 'update_stage', 'from_stage', from_stage, 'to_stage', $stage,
                   'changed', outcome = 'accepted',
                   'reason', CASE WHEN outcome = 'ignored'
                                  THEN 'the stage model does not allow ' || coalesce(from_stage, '(no stage)')
                                       || ' -> ' || $stage
                                  WHEN outcome = 'same' THEN 'already in this stage' END)
FROM jw_stage_requests;
UPDATE jw_stage SET stage = $stage
FROM jw_stage_requests AS r
WHERE r.outcome = 'accepted' AND r.buying_group_id = jw_stage.buying_group_id;
