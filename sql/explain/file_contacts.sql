-- The LinkedIn contact files ($files) that list any of these emails, and how many of them.
SELECT filename, count(DISTINCT email) AS contacts
FROM read_csv($files, all_varchar = true, header = true, filename = true, union_by_name = true)
WHERE email IN (SELECT unnest(CAST($emails AS VARCHAR[])))
GROUP BY filename
ORDER BY filename
