-- A split node: the first path (top-down) whose condition holds; else `otherwise`; else
-- the account exits. A condition that is unknown (NULL) does not hold.
INSERT INTO jw_moves
WITH chosen AS (
    SELECT p.journey_id, p.account_key, p.entry_number, p.node_id,
           CASE {path_cases} ELSE -1 END AS path_index
    FROM jw_pos AS p
    LEFT JOIN marts.buying_groups AS g ON g.buying_group_id = p.buying_group_id
    LEFT JOIN jw_stage AS st ON st.buying_group_id = p.buying_group_id
    LEFT JOIN b2b.accounts AS a ON a.account_key = p.account_key
    WHERE p.journey_id = $journey_id AND p.node_id = $node_id AND p.pending
)
SELECT journey_id, account_key, entry_number, node_id,
       CASE WHEN path_index >= 0 THEN list_extract($targets, path_index + 1)
            ELSE coalesce($otherwise, 'exit') END,
       CASE WHEN path_index >= 0 OR $otherwise IS NOT NULL THEN 'path' END,
       CASE WHEN path_index >= 0 THEN json_object('path', path_index, 'next', list_extract($targets, path_index + 1))
            WHEN $otherwise IS NOT NULL THEN json_object('path', 'otherwise', 'next', $otherwise) END,
       CASE WHEN path_index < 0 AND $otherwise IS NULL THEN json_object('reason', 'no path matched') END
FROM chosen;
