-- A wait node: passes to `next` once as_of >= the day the account reached it + $days.
INSERT INTO jw_moves
SELECT journey_id, account_key, entry_number, node_id, $next, 'path',
       json_object('waited_days', CAST($as_of AS DATE) - node_entered_on, 'next', coalesce($next, 'completed')), NULL
FROM jw_pos
WHERE journey_id = $journey_id AND node_id = $node_id AND pending
  AND CAST($as_of AS DATE) >= node_entered_on + CAST($days AS INTEGER);
