-- Append the validated batch into {table}, de-duplicated on {key}: of a key the batch holds
-- more than once only the winning row ({precedence}: the first occurrence for events, the
-- newest version for an upsert into an empty table) is kept, and a key already in the table
-- is never inserted again.
-- Needs batch_duplicate_keys (batch_duplicate_keys.sql).
INSERT INTO {table} BY NAME
WITH incoming AS (
    SELECT validated.* FROM validated ANTI JOIN batch_duplicate_keys AS dup ON dup.{key} = validated.{key}
    UNION ALL
    SELECT validated.* FROM validated SEMI JOIN batch_duplicate_keys AS dup ON dup.{key} = validated.{key}
    QUALIFY row_number() OVER (PARTITION BY validated.{key} ORDER BY {precedence}) = 1
)
SELECT incoming.* EXCLUDE (__absent_columns)
FROM incoming ANTI JOIN {table} AS current ON current.{key} = incoming.{key};
