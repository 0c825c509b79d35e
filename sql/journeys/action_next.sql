-- An action node never blocks: after its actions the account goes to `next` (NULL = completed).
INSERT INTO jw_moves
SELECT journey_id, account_key, entry_number, node_id, $next, NULL, NULL, NULL
FROM jw_pos
WHERE journey_id = $journey_id AND node_id = $node_id AND pending;
