-- Required roles missing in at least one incomplete buying group of a solution interest.
SELECT DISTINCT role
FROM (
    SELECT unnest(missing_roles) AS role
    FROM marts.buying_groups
    WHERE solution_interest_id = $solution_interest_id AND completeness_score < 100
)
WHERE role IS NOT NULL
ORDER BY role;
