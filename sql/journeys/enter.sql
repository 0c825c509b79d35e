-- Accounts entering one journey on as_of at its start node: their group for the journey's
-- solution interest exists, the journey is open, and the account is not in it - never was,
-- or (re-entry) left at least $after_days ago and entered fewer than $max_entries times.
INSERT INTO jw_pos
SELECT $journey_id, g.account_key, g.buying_group_id, coalesce(prev.entries, 0) + 1, $start_node,
       CAST($as_of AS DATE), 'active', CAST($as_of AS DATE), NULL, CAST($as_of AS DATE), true
FROM marts.buying_groups AS g
LEFT JOIN (
    SELECT account_key, count(*) AS entries, max(left_on) AS last_left, bool_or(status = 'active') AS active
    FROM marts.journey_state
    WHERE journey_id = $journey_id
    GROUP BY account_key
) AS prev ON prev.account_key = g.account_key
WHERE g.solution_interest_id = $solution_interest_id
  AND (prev.account_key IS NULL
       OR (NOT prev.active AND prev.entries < $max_entries
           AND CAST($as_of AS DATE) >= prev.last_left + CAST($after_days AS INTEGER)));
INSERT INTO jw_log
SELECT journey_id, account_key, entry_number, 0, 95, node_id, 'entered', json_object('entry_number', entry_number)
FROM jw_pos
WHERE journey_id = $journey_id AND entered_on = CAST($as_of AS DATE) AND node_entered_on = CAST($as_of AS DATE)
  AND node_id = $start_node AND pending
  AND NOT EXISTS (SELECT 1 FROM marts.journey_state AS s
                  WHERE s.journey_id = jw_pos.journey_id AND s.account_key = jw_pos.account_key
                    AND s.entry_number = jw_pos.entry_number);
