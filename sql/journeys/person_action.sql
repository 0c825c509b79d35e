-- A person action (marketo_list, linkedin_contacts) for the accounts at one action node:
-- one action row per active member of the group chosen by `people`, never a suppressed
-- person (`jw_reachable`, see work_tables.sql).
INSERT INTO marts.journey_actions
WITH at_node AS (
    SELECT * FROM jw_pos WHERE journey_id = $journey_id AND node_id = $node_id AND pending
),
chosen AS (
    SELECT n.*, p.person_key, p.jw_email AS email,
           p.first_name, p.last_name, p.job_title, p.country,
           coalesce(a.account_name, p.company_name) AS company
    FROM at_node AS n
    JOIN marts.buying_group_members AS m ON m.buying_group_id = n.buying_group_id AND NOT m.is_removed
    JOIN jw_member_persons AS p ON p.person_key = m.person_key
    LEFT JOIN b2b.accounts AS a ON a.account_key = n.account_key
    WHERE p.jw_reachable AND CASE WHEN m.person_key IS NOT NULL THEN {people_filter} END
)
SELECT sha256(concat_ws('|', c.journey_id, c.account_key, c.entry_number, c.node_id, CAST($as_of AS DATE),
                        $action_index, c.person_key)),
       CAST($as_of AS DATE), c.journey_id, c.account_key, c.buying_group_id, c.entry_number, c.node_id,
       $action_index, $seq, $action_type, $target, c.person_key,
       json_object(
           'lead_id', split_part(c.person_key, '@', 1),
           'email', CASE WHEN $hash_emails THEN sha256(c.email) ELSE c.email END,
           'firstname', c.first_name, 'lastname', c.last_name, 'jobtitle', c.job_title,
           'employeecompany', c.company, 'country', nullif(cc.alpha2, ''))
FROM chosen AS c
LEFT JOIN activation_country_alpha2 AS cc ON cc.raw = c.country;
INSERT INTO jw_log
SELECT n.journey_id, n.account_key, n.entry_number, $round, 10 + $action_index, n.node_id, 'action',
       json_object('action', $action_type, 'target', $target, 'people',
                   (SELECT count(*) FROM marts.journey_actions AS x
                    WHERE x.as_of = CAST($as_of AS DATE) AND x.journey_id = n.journey_id
                      AND x.account_key = n.account_key AND x.entry_number = n.entry_number
                      AND x.node_id = n.node_id AND x.action_index = $action_index))
FROM jw_pos AS n
WHERE n.journey_id = $journey_id AND n.node_id = $node_id AND n.pending;
