-- Keys that occur more than once in the validated batch, with how often. Duplicates are rare,
-- so the append and the upsert rank only their rows (a window over the whole batch would sort
-- every row to drop a few).
CREATE OR REPLACE TEMP TABLE batch_duplicate_keys AS
SELECT {key}, count(*) AS occurrences FROM validated GROUP BY {key} HAVING count(*) > 1;
