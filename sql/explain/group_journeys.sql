-- The group's position in each journey (latest entry first), as of the latest journey run.
SELECT journey_id, entry_number, node_id, node_entered_on, status, entered_on, left_on
FROM marts.journey_state
WHERE buying_group_id = $buying_group_id
  AND as_of = (SELECT max(as_of) FROM marts.journey_state WHERE as_of <= CAST($as_of AS DATE))
ORDER BY journey_id, entry_number DESC
