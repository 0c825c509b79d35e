-- Publish the run: log steps with their order, the new positions, the node counts and the
-- groups' lifecycle stage.
INSERT INTO marts.journey_log
SELECT journey_id, account_key, entry_number, CAST($as_of AS DATE),
       CAST(row_number() OVER (PARTITION BY journey_id, account_key, entry_number ORDER BY round, step) AS INTEGER),
       node_id, event, detail
FROM jw_log;
DELETE FROM marts.journey_state AS s
WHERE EXISTS (SELECT 1 FROM jw_pos AS p
              WHERE p.journey_id = s.journey_id AND p.account_key = s.account_key
                AND p.entry_number = s.entry_number);
INSERT INTO marts.journey_state
SELECT journey_id, account_key, buying_group_id, entry_number, node_id, node_entered_on, status,
       entered_on, left_on, CAST($as_of AS DATE)
FROM jw_pos;
INSERT INTO marts.journey_node_counts
SELECT CAST($as_of AS DATE), n.journey_id, n.node_id,
       (SELECT count(*) FROM jw_pos AS p
        WHERE p.journey_id = n.journey_id AND p.node_id = n.node_id AND p.status = 'active'),
       (SELECT count(DISTINCT (l.account_key, l.entry_number)) FROM jw_log AS l
        WHERE l.journey_id = n.journey_id AND l.node_id = n.node_id AND l.event = 'entered')
FROM jw_nodes AS n;
UPDATE marts.buying_groups AS g SET lifecycle_stage = st.stage
FROM jw_stage AS st WHERE st.buying_group_id = g.buying_group_id;
