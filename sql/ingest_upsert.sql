-- Upsert the validated batch into {table}: per key the newest row of the batch (updatedAt,
-- then later drop, file and line) replaces the current row unless the current row is newer.
CREATE OR REPLACE TEMP TABLE incoming AS
SELECT * FROM validated
QUALIFY row_number() OVER (
    PARTITION BY {key} ORDER BY updated_at DESC, "source_drop" DESC, source_file DESC, source_line DESC
) = 1;

CREATE OR REPLACE TEMP TABLE applied AS
SELECT incoming.*
FROM incoming
LEFT JOIN {table} AS current ON current.{key} = incoming.{key}
WHERE current.{key} IS NULL OR incoming.updated_at >= current.updated_at;

DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM applied);

INSERT INTO {table} BY NAME SELECT * FROM applied;
