-- Groups in both whose stage differs.
SELECT before.buying_group_id, before.stage AS from_stage, after.stage AS to_stage
FROM baseline.buying_groups AS before
JOIN marts.buying_groups AS after USING (buying_group_id)
WHERE before.stage IS DISTINCT FROM after.stage
ORDER BY before.buying_group_id
