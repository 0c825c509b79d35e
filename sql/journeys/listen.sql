-- A listen node: `next` when a matching event of a current person of the account is dated
-- in (reached, as_of] and no later than reached + timeout; `on_timeout` once as_of >=
-- reached + timeout without one; else the account keeps waiting.
INSERT INTO jw_moves
WITH listening AS (
    SELECT * FROM jw_pos WHERE journey_id = $journey_id AND node_id = $node_id AND pending
),
heard AS (
    SELECT l.journey_id, l.account_key, l.entry_number, min(CAST(e."timestamp" AS DATE)) AS event_on
    FROM listening AS l
    JOIN b2b.persons AS p ON p.account_key = l.account_key AND NOT p.is_deleted
    JOIN b2b.experience_events AS e ON e.person_key = p.person_key
    WHERE list_contains($activity_types, e.activity_type_id)
      AND e."timestamp" >= l.node_entered_on + 1
      AND e."timestamp" < least(CAST($as_of AS DATE), l.node_entered_on + CAST($timeout_days AS INTEGER)) + 1
      {event_where}
    GROUP BY ALL
)
SELECT l.journey_id, l.account_key, l.entry_number, l.node_id,
       CASE WHEN h.event_on IS NOT NULL THEN $next ELSE $on_timeout END,
       CASE WHEN h.event_on IS NOT NULL THEN 'path' ELSE 'timeout' END,
       CASE WHEN h.event_on IS NOT NULL THEN json_object('event_on', h.event_on, 'next', coalesce($next, 'completed'))
            ELSE json_object('timeout_days', $timeout_days, 'next', $on_timeout) END,
       NULL
FROM listening AS l
LEFT JOIN heard AS h USING (journey_id, account_key, entry_number)
WHERE h.event_on IS NOT NULL
   OR CAST($as_of AS DATE) >= l.node_entered_on + CAST($timeout_days AS INTEGER);
