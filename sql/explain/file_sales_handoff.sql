-- Rows of sales_handoff.csv ($file) for a group or a person (NULL = any).
SELECT buying_group_id, count(*) AS rows
FROM read_csv($file, all_varchar = true, header = true)
WHERE ($buying_group_id IS NULL OR buying_group_id = $buying_group_id)
  AND ($person_key IS NULL OR person_key = $person_key)
GROUP BY buying_group_id
ORDER BY buying_group_id
