-- An active account whose buying group no longer exists (the account left the solution
-- interest's audience) leaves the journey: its actions would have no group to act on.
INSERT INTO jw_moves
SELECT p.journey_id, p.account_key, p.entry_number, p.node_id, 'exit', NULL, NULL,
       json_object('reason', 'buying group no longer exists')
FROM jw_pos AS p
WHERE NOT EXISTS (SELECT 1 FROM marts.buying_groups AS g WHERE g.buying_group_id = p.buying_group_id);
