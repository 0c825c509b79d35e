-- Replace rows of {table} by key with the validated batch: per key the batch's winning row
-- ({precedence}: the latest drop, file and line) replaces the current row unless the current
-- row came from a later drop (a late re-delivery of an old report does not undo a newer one).
-- For entities without updatedAt (ad platform reports). Needs batch_duplicate_keys
-- (validated/batch_duplicate_keys.sql).
CREATE OR REPLACE TEMP TABLE applied AS
WITH incoming AS (
    SELECT validated.* FROM validated ANTI JOIN batch_duplicate_keys AS dup ON dup.{key} = validated.{key}
    UNION ALL
    SELECT validated.* FROM validated SEMI JOIN batch_duplicate_keys AS dup ON dup.{key} = validated.{key}
    QUALIFY row_number() OVER (PARTITION BY validated.{key} ORDER BY {precedence}) = 1
)
SELECT incoming.*
FROM incoming
LEFT JOIN {table} AS current ON current.{key} = incoming.{key}
WHERE current.{key} IS NULL OR incoming.source_drop >= current.source_drop;

DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM applied);

INSERT INTO {table} BY NAME SELECT * FROM applied;
