-- Groups only in the baseline ('removed') or only under the new configuration ('added').
SELECT 'added' AS change, buying_group_id
FROM (SELECT buying_group_id FROM marts.buying_groups EXCEPT SELECT buying_group_id FROM baseline.buying_groups)
UNION ALL
SELECT 'removed', buying_group_id
FROM (SELECT buying_group_id FROM baseline.buying_groups EXCEPT SELECT buying_group_id FROM marts.buying_groups)
ORDER BY change, buying_group_id
