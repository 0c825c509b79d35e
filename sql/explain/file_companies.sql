-- The LinkedIn company files ($files) that list a company of this name.
SELECT DISTINCT filename
FROM read_csv($files, all_varchar = true, header = true, filename = true, union_by_name = true)
WHERE companyname = $company_name
ORDER BY filename
