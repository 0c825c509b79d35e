-- An account-level action (sales_alert, linkedin_audience, linkedin_audience_remove) for
-- the accounts at one action node: one action row and one log step per account.
INSERT INTO marts.journey_actions
SELECT sha256(concat_ws('|', journey_id, account_key, entry_number, node_id, CAST($as_of AS DATE), $action_index, '')),
       CAST($as_of AS DATE), journey_id, account_key, buying_group_id, entry_number, node_id, $action_index, $seq,
       $action_type, $target, NULL, CAST($payload AS JSON)
FROM jw_pos
WHERE journey_id = $journey_id AND node_id = $node_id AND pending;
INSERT INTO jw_log
SELECT journey_id, account_key, entry_number, $round, 10 + $action_index, node_id, 'action',
       json_object('action', $action_type, 'target', $target)
FROM jw_pos
WHERE journey_id = $journey_id AND node_id = $node_id AND pending;
