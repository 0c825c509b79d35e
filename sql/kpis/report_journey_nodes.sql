-- Report: accounts waiting at and passed through each journey node on the latest as_of of
-- marts.journey_node_counts (run only when that table exists).
SELECT journey_id, node_id, accounts_waiting, accounts_passed
FROM marts.journey_node_counts
WHERE as_of = (SELECT max(as_of) FROM marts.journey_node_counts)
ORDER BY journey_id, node_id;
