-- Upsert (or replace) the validated batch into {table}: per key the batch's winning row
-- ({precedence}) replaces the current row unless the current row is newer ({not_older}: by
-- updatedAt, or for ad reports without one, by drop). A column the winning row's file
-- did not carry keeps its stored value ({keep_stored}, built from the model).
-- Needs batch_duplicate_keys (batch_duplicate_keys.sql); `applied` is the one copy of
-- the batch this makes (it is both deleted by key and inserted).
CREATE OR REPLACE TEMP TABLE applied AS
WITH incoming AS (
    SELECT validated.* FROM validated ANTI JOIN batch_duplicate_keys AS dup ON dup.{key} = validated.{key}
    UNION ALL
    SELECT validated.* FROM validated SEMI JOIN batch_duplicate_keys AS dup ON dup.{key} = validated.{key}
    QUALIFY row_number() OVER (PARTITION BY validated.{key} ORDER BY {precedence}) = 1
)
SELECT incoming.* EXCLUDE (__absent_columns) REPLACE ({keep_stored})
FROM incoming
LEFT JOIN {table} AS current ON current.{key} = incoming.{key}
WHERE current.{key} IS NULL OR {not_older};

DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM applied);

INSERT INTO {table} BY NAME SELECT * FROM applied;
